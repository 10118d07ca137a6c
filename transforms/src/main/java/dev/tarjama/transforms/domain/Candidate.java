package dev.tarjama.transforms.domain;

import org.apache.beam.sdk.coders.DefaultCoder;
import java.util.Objects;

/**
 * One full translation of a record by one backend and candidate index.
 *
 * <p>{@code json} is the record in its own format with every translated field replaced; {@code
 * valid} is false when validation failed (a protected span missing, altered or out of order,
 * unbalanced think tags, tool-call JSON changed, a chunk that could not be translated) and {@code
 * reason} says why; an invalid candidate stays in the pool but cannot win. {@code sourceText} and
 * {@code targetText} are the translated prose only, protected spans removed: what LR and SCR
 * measure. Scores are NaN until {@code Score} has run; {@code reward} stays NaN without a reward
 * model.
 *
 * @param recordId the record translated
 * @param split the record's split
 * @param backend the backend that translated it
 * @param candidate the candidate index within that backend
 * @param json the record in its own format, every translated field replaced
 * @param valid false when validation failed
 * @param reason why it is invalid ("" when valid)
 * @param sourceText the source prose, protected spans removed
 * @param targetText the translated prose, protected spans removed
 * @param lr Language Ratio (NaN before scoring)
 * @param scr Script Purity (NaN before scoring)
 * @param scrFlagged whether SCR flagged the candidate
 * @param reward the reward model's score (NaN without one)
 * @param rankScore the score ranking orders by (NaN before scoring)
 * @param tokensIn tokens sent to the backend
 * @param tokensOut tokens the backend returned
 * @param quality quality-estimation signals (empty before {@code EstimateQuality})
 */
@DefaultCoder(ModelCoders.CandidateCoder.class)
public record Candidate(
    String recordId,
    String split,
    String backend,
    int candidate,
    String json,
    boolean valid,
    String reason,
    String sourceText,
    String targetText,
    double lr,
    double scr,
    boolean scrFlagged,
    double reward,
    double rankScore,
    long tokensIn,
    long tokensOut,
    QualityMeasures quality) {
  /**
   * How a reason starts when a chunk of the candidate could not be translated at all (not a
   * quality verdict): ranking sends a record whose candidates all say so to the dead letters.
   */
  public static final String TRANSLATION_FAILED = "translation failed";

  /**
   * The named reason of a candidate with a chunk cut at the length limit even after the retry
   * with more room ({@link ChunkTranslation#truncated()}): such a candidate is invalid, and its
   * reason starts with this word.
   */
  public static final String TRUNCATED = "truncated";

  /**
   * The named reason of a candidate with a chunk the quality judge ({@code --qe-judge}) said is
   * not a faithful translation ({@link ChunkTranslation#meaning()} = reject).
   */
  public static final String MEANING = "meaning";

  public Candidate {
    Objects.requireNonNull(quality);
  }

  /** A freshly reassembled candidate, not yet scored. */
  public static Candidate unscored(
      String recordId,
      String split,
      String backend,
      int candidate,
      String json,
      boolean valid,
      String reason,
      String sourceText,
      String targetText,
      long tokensIn,
      long tokensOut) {
    return new Candidate(
        recordId, split, backend, candidate, json, valid, reason, sourceText, targetText,
        Double.NaN, Double.NaN, false, Double.NaN, Double.NaN, tokensIn, tokensOut,
        QualityMeasures.none());
  }

  public Candidate withMetrics(double lr, double scr, boolean scrFlagged) {
    return new Candidate(
        recordId, split, backend, candidate, json, valid, reason, sourceText, targetText, lr, scr,
        scrFlagged, reward, rankScore, tokensIn, tokensOut, quality);
  }

  public Candidate withReward(double reward) {
    return new Candidate(
        recordId, split, backend, candidate, json, valid, reason, sourceText, targetText, lr, scr,
        scrFlagged, reward, rankScore, tokensIn, tokensOut, quality);
  }

  public Candidate withQuality(QualityMeasures quality) {
    return new Candidate(
        recordId, split, backend, candidate, json, valid, reason, sourceText, targetText, lr, scr,
        scrFlagged, reward, rankScore, tokensIn, tokensOut, quality);
  }

  public Candidate withRankScore(double rankScore) {
    return new Candidate(
        recordId, split, backend, candidate, json, valid, reason, sourceText, targetText, lr, scr,
        scrFlagged, reward, rankScore, tokensIn, tokensOut, quality);
  }

  public CandidateKey candidateKey() {
    return new CandidateKey(recordId, backend, candidate);
  }

  @Override
  public String toString() {
    return "Candidate{" + recordId + " " + backend + "/" + candidate + (valid ? "" : " INVALID " + reason)
        + " LR=" + lr + " SCR=" + scr + " rank=" + rankScore + "}";
  }
}
