package dev.tarjama.transforms.judge;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.io.RecordJson;

/**
 * The JSON lines of a judge run: {@code accepted/} holds {@code {id, en, ar, file, line}} per pair,
 * ready to train on; {@code rejected/} and {@code undecided/} the same plus {@code verdict} and the
 * judge's raw {@code answer}. Dead letters are written as translate's are ({@link
 * dev.tarjama.transforms.io.OutputRecords#deadLetter}).
 */
public final class JudgeOutputs {
  private JudgeOutputs() {}

  public static ObjectNode pair(ParallelPair p) {
    ObjectNode node = RecordJson.MAPPER.createObjectNode();
    node.put("id", p.id());
    node.put("en", p.en());
    node.put("ar", p.ar());
    node.put("file", p.file());
    node.put("line", p.line());
    return node;
  }

  public static String accepted(JudgedPair j) {
    return pair(j.pair()).toString();
  }

  /** A rejected or undecided pair, with the verdict and the raw answer. */
  public static String judged(JudgedPair j) {
    ObjectNode node = pair(j.pair());
    node.put("verdict", j.verdict().name().toLowerCase(java.util.Locale.ROOT));
    node.put("answer", j.answer());
    return node.toString();
  }
}
