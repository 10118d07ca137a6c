package dev.tarjama.transforms.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.Objects;
import org.apache.beam.sdk.coders.DefaultCoder;

/**
 * A system's corpus scores on an evaluation set, each in [0, 100], with the signatures that say
 * exactly how they were computed: BLEU and chrF++ as sacreBLEU reports them, ROUGE-L F1 as
 * {@link RougeL} defines it. {@code failed} segments (no translation) were scored as empty
 * hypotheses. BLEU's precisions, brevity penalty and lengths come along, as sacreBLEU prints them.
 *
 * <p>A record with an array component: the array is copied in and out, and {@code equals} and
 * {@code hashCode} are written out to compare its contents (a record's own compare arrays by
 * reference).
 *
 * @param system the system's name
 * @param segments the segments scored
 * @param failed the segments without a translation (scored as empty hypotheses)
 * @param bleu corpus BLEU
 * @param chrfPlusPlus corpus chrF++
 * @param rougeL corpus ROUGE-L F1
 * @param bleuPrecisions BLEU's n-gram precisions
 * @param brevityPenalty BLEU's brevity penalty
 * @param hypothesisLength BLEU's hypothesis length
 * @param referenceLength BLEU's reference length
 * @param bleuSignature sacreBLEU's BLEU signature
 * @param chrfSignature sacreBLEU's chrF++ signature
 * @param rougeSignature the ROUGE-L signature
 */
@DefaultCoder(EvaluationCoders.ScoresCoder.class)
public record SystemScores(
    String system,
    long segments,
    long failed,
    double bleu,
    double chrfPlusPlus,
    double rougeL,
    double[] bleuPrecisions,
    double brevityPenalty,
    long hypothesisLength,
    long referenceLength,
    String bleuSignature,
    String chrfSignature,
    String rougeSignature) {
  public SystemScores {
    bleuPrecisions = bleuPrecisions.clone();
  }

  /** BLEU's n-gram precisions (a copy). */
  @Override
  public double[] bleuPrecisions() {
    return bleuPrecisions.clone();
  }

  /** The scores of summed statistics. */
  public static SystemScores of(
      String system, EvaluationStatistics stats, Bleu bleu, ChrF chrf, RougeL rouge) {
    Bleu.Score b = bleu.score(stats.bleu);
    String nrefs = stats.references();
    return new SystemScores(
        system,
        stats.segments(),
        stats.failed(),
        b.score(),
        chrf.score(stats.chrf),
        rouge.score(stats.rouge),
        b.precisions(),
        b.brevityPenalty(),
        b.hypothesisLength(),
        b.referenceLength(),
        "BLEU|" + bleu.signature(nrefs),
        chrf.name() + "|" + chrf.signature(nrefs),
        "ROUGE-L|" + rouge.signature(nrefs));
  }

  /**
   * The entry of {@code scores.json}: {@code bleu}, {@code chrf_pp}, {@code rouge_l}, {@code
   * signature} {bleu, chrf_pp, rouge_l}, {@code segments}, {@code failed}, {@code bleu_detail}.
   */
  public ObjectNode toJson() {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("bleu", bleu);
    node.put("chrf_pp", chrfPlusPlus);
    node.put("rouge_l", rougeL);
    ObjectNode signature = node.putObject("signature");
    signature.put("bleu", bleuSignature);
    signature.put("chrf_pp", chrfSignature);
    signature.put("rouge_l", rougeSignature);
    node.put("segments", segments);
    node.put("failed", failed);
    ObjectNode detail = node.putObject("bleu_detail");
    ArrayNode precisions = detail.putArray("precisions");
    for (double p : bleuPrecisions) {
      precisions.add(p);
    }
    detail.put("bp", brevityPenalty);
    detail.put("ratio", referenceLength == 0 ? 0 : (double) hypothesisLength / referenceLength);
    detail.put("hyp_len", hypothesisLength);
    detail.put("ref_len", referenceLength);
    return node;
  }

  /** Reads {@link #toJson()}'s form back, with the system's name. */
  public static SystemScores fromJson(String system, JsonNode node) {
    JsonNode detail = node.get("bleu_detail");
    JsonNode p = detail.get("precisions");
    double[] precisions = new double[p.size()];
    for (int i = 0; i < precisions.length; i++) {
      precisions[i] = p.get(i).asDouble();
    }
    JsonNode signature = node.get("signature");
    return new SystemScores(
        system,
        node.get("segments").asLong(),
        node.get("failed").asLong(),
        node.get("bleu").asDouble(),
        node.get("chrf_pp").asDouble(),
        node.get("rouge_l").asDouble(),
        precisions,
        detail.get("bp").asDouble(),
        detail.get("hyp_len").asLong(),
        detail.get("ref_len").asLong(),
        signature.get("bleu").asText(),
        signature.get("chrf_pp").asText(),
        signature.get("rouge_l").asText());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SystemScores s
        && segments == s.segments
        && failed == s.failed
        && bleu == s.bleu
        && chrfPlusPlus == s.chrfPlusPlus
        && rougeL == s.rougeL
        && brevityPenalty == s.brevityPenalty
        && hypothesisLength == s.hypothesisLength
        && referenceLength == s.referenceLength
        && system.equals(s.system)
        && Arrays.equals(bleuPrecisions, s.bleuPrecisions)
        && bleuSignature.equals(s.bleuSignature)
        && chrfSignature.equals(s.chrfSignature)
        && rougeSignature.equals(s.rougeSignature);
  }

  @Override
  public int hashCode() {
    return Objects.hash(system, segments, failed, bleu, chrfPlusPlus, rougeL);
  }

  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT,
        "SystemScores{%s: %d segments (%d failed), BLEU %.2f, chrF++ %.2f, ROUGE-L %.2f}",
        system, segments, failed, bleu, chrfPlusPlus, rougeL);
  }
}
