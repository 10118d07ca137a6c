package dev.tarjama.transforms.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.Conversation;
import dev.tarjama.transforms.domain.TextField;
import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.transforms.rank.PreferencePair;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The JSON lines of the run's outputs (DESIGN.md, "Command line and outputs").
 *
 * <ul>
 *   <li>chosen: the record in its own format, translated, plus {@code LR}, {@code SCR}, {@code
 *       rank_score}, {@code source} (the winning backend's label, e.g. {@code SFT_SeedX_ranked}, as
 *       SmolKalam publishes it) and,
 *       with a reward model, {@code reward}, and {@code record_id} (to join candidates). A record
 *       that already had a {@code source} field (SmolTalk2's split name) keeps it as {@code
 *       original_source}, and its own {@code record_id} as {@code original_record_id}.
 *   <li>candidates: one line per candidate with its scores, validation result and the record (as
 *       JSON text, so that one column has one type whatever the records' formats).
 *   <li>rejected: the record id, split, the reason and the best candidate, if any.
 *   <li>dead_letter: record id, stage, field, error and the original payload.
 *   <li>preferences: TRL's conversational preference format, {@code prompt} [user: source],
 *       {@code chosen} [assistant: better translation], {@code rejected} [assistant: worse one],
 *       each the record's text fields in full (every protected span in place), blank-line joined,
 *       plus {@code record_id}, {@code split}, {@code chosen_source}/{@code rejected_source} (the
 *       backends' labels) and {@code score_chosen}/{@code score_rejected} (rank_scores), which TRL
 *       ignores.
 * </ul>
 */
public final class OutputRecords {
  private static final ObjectMapper JSON = RecordJson.MAPPER;

  private OutputRecords() {}

  /** The columns every chosen file set has (the record's own come first). */
  public static final RowType CHOSEN_COLUMNS =
      RowType.structOf("LR", RowType.DOUBLE, "SCR", RowType.DOUBLE, "rank_score", RowType.DOUBLE,
          "source", RowType.STRING, "record_id", RowType.STRING);

  public static final RowType CANDIDATE_COLUMNS =
      RowType.structOf("record_id", RowType.STRING, "split", RowType.STRING,
          "backend", RowType.STRING, "candidate", RowType.LONG, "valid", RowType.BOOLEAN,
          "reason", RowType.STRING, "LR", RowType.DOUBLE, "SCR", RowType.DOUBLE,
          "SCR_flagged", RowType.BOOLEAN, "rank_score", RowType.DOUBLE, "reward", RowType.DOUBLE,
          "tokens_in", RowType.LONG, "tokens_out", RowType.LONG, "record", RowType.STRING);

  public static final RowType REJECTED_COLUMNS =
      RowType.structOf("record_id", RowType.STRING, "split", RowType.STRING,
          "reason", RowType.STRING, "best", CANDIDATE_COLUMNS);

  public static final RowType DEAD_LETTER_COLUMNS =
      RowType.structOf("record_id", RowType.STRING, "stage", RowType.STRING,
          "field", RowType.STRING, "error", RowType.STRING, "original", RowType.STRING,
          "original_base64", RowType.STRING);

  private static final RowType MESSAGE = RowType.structOf("role", RowType.STRING,
      "content", RowType.STRING);

  public static final RowType PREFERENCE_COLUMNS =
      RowType.structOf("prompt", RowType.list(MESSAGE), "chosen", RowType.list(MESSAGE),
          "rejected", RowType.list(MESSAGE), "record_id", RowType.STRING, "split", RowType.STRING,
          "chosen_source", RowType.STRING, "rejected_source", RowType.STRING,
          "score_chosen", RowType.DOUBLE, "score_rejected", RowType.DOUBLE);

  public static String chosen(Candidate winner) {
    ObjectNode record = (ObjectNode) parse(winner.json());
    JsonNode originalSource = record.get("source");
    if (originalSource != null) {
      record.remove("source");
      record.set("original_source", originalSource);
    }
    record.put("LR", winner.lr());
    record.put("SCR", winner.scr());
    record.put("rank_score", winner.rankScore());
    record.put("source", winner.backend());
    if (!Double.isNaN(winner.reward())) {
      record.put("reward", winner.reward());
    }
    JsonNode ownId = record.remove("record_id");
    if (ownId != null) {
      record.set("original_record_id", ownId);
    }
    record.put("record_id", winner.recordId());
    return record.toString();
  }

  public static ObjectNode candidate(Candidate c) {
    ObjectNode node = JSON.createObjectNode();
    node.put("record_id", c.recordId());
    node.put("split", c.split());
    node.put("backend", c.backend());
    node.put("candidate", c.candidate());
    node.put("valid", c.valid());
    node.put("reason", c.reason());
    putScore(node, "LR", c.lr());
    putScore(node, "SCR", c.scr());
    node.put("SCR_flagged", c.scrFlagged());
    putScore(node, "rank_score", c.rankScore());
    putScore(node, "reward", c.reward());
    node.put("tokens_in", c.tokensIn());
    node.put("tokens_out", c.tokensOut());
    if (!c.quality().isEmpty()) {
      ObjectNode quality = node.putObject("quality");
      c.quality().asMap().forEach((signal, m) -> {
        ObjectNode q = quality.putObject(signal);
        q.put("value", m.value());
        q.put("judged", m.judged());
        q.put("detail", m.detail());
      });
    }
    // JSON text: one candidates/ file holds records of every format, and one column one type.
    node.put("record", RecordJson.print(parse(c.json())));
    return node;
  }

  public static String rejected(
      String recordId, String split, String reason, Candidate best) {
    ObjectNode node = JSON.createObjectNode();
    node.put("record_id", recordId);
    node.put("split", split);
    node.put("reason", reason);
    if (best != null) {
      node.set("best", candidate(best));
    }
    return node.toString();
  }

  public static String deadLetter(DeadLetter d) {
    ObjectNode node = JSON.createObjectNode();
    node.put("record_id", d.recordId());
    node.put("stage", d.stage());
    node.put("field", d.field());
    node.put("error", d.error());
    node.put(d.originalBase64() ? "original_base64" : "original", d.original());
    if (d.truncatedPayload()) {
      node.put("truncated_payload", true);
      node.put("original_length", d.originalLength());
    }
    return node.toString();
  }

  /**
   * One line of {@code preferences/}: a TRL conversational preference example whose texts are the
   * record's own messages in full — the source as read, the translations as written to chosen/ —
   * with code, URLs, math, think blocks and tool calls in place.
   */
  public static String preference(PreferencePair pair) {
    ObjectNode node = JSON.createObjectNode();
    message(node.putArray("prompt").addObject(), "user", fullText(pair.source(), pair.source().json()));
    message(node.putArray("chosen").addObject(), "assistant",
        fullText(pair.source(), pair.chosen().json()));
    message(node.putArray("rejected").addObject(), "assistant",
        fullText(pair.source(), pair.rejected().json()));
    node.put("record_id", pair.recordId());
    node.put("split", pair.split());
    node.put("chosen_source", pair.chosen().backend());
    node.put("rejected_source", pair.rejected().backend());
    node.put("score_chosen", pair.chosen().rankScore());
    node.put("score_rejected", pair.rejected().rankScore());
    return node.toString();
  }

  /**
   * The record's text fields (its messages' contents, in document order) as they stand in {@code
   * json} (the record as read, or a candidate's translation of it), one field after another,
   * separated by a blank line.
   */
  private static String fullText(Conversation record, String json) {
    JsonNode root = parse(json);
    StringBuilder text = new StringBuilder();
    for (TextField field : record.fields()) {
      if (text.length() > 0) {
        text.append("\n\n");
      }
      text.append(JsonPointers.getString(root, field.pointer()));
    }
    return text.toString();
  }

  private static void message(ObjectNode node, String role, String content) {
    node.put("role", role);
    node.put("content", content);
  }

  private static void putScore(ObjectNode node, String name, double value) {
    if (Double.isNaN(value)) {
      node.putNull(name);
    } else {
      node.put(name, value);
    }
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException("record JSON does not parse", e);
    }
  }
}
