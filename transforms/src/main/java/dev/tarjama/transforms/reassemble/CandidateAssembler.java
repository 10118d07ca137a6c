package dev.tarjama.transforms.reassemble;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tarjama.transforms.io.JsonPointers;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import dev.tarjama.transforms.domain.Conversation;
import dev.tarjama.transforms.domain.FieldPlan;
import dev.tarjama.transforms.domain.PlanPart;
import dev.tarjama.transforms.domain.Placeholders;
import dev.tarjama.transforms.domain.RecordPlan;
import dev.tarjama.transforms.domain.TextField;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds one full candidate from a record's plan and the translations of its chunks by one
 * backend and candidate index, and validates it.
 *
 * <p>A candidate is invalid (kept, but it cannot win) when a placeholder came back missing,
 * duplicated, unknown or out of order, when {@code <think>} tags are unbalanced or differ from the
 * source, or when a tool call's JSON differs from the source. Protected blocks are copied from the
 * plan, so they are byte-exact by construction; the structural checks run anyway on the finished
 * field, because a translator can also <em>add</em> structure (a stray {@code </think>}).
 *
 * <p>A chunk cut at the length limit even after its retry ({@link ChunkTranslation#truncated()})
 * makes the candidate invalid with a reason starting with {@link Candidate#TRUNCATED}; a chunk the
 * quality judge rejected ({@link ChunkTranslation#meaning()}), with {@link Candidate#MEANING}.
 *
 * <p>When a chunk could not be translated at all, the candidate is marked with a reason starting
 * with {@link #TRANSLATION_FAILED} and carries the original record, so that ranking can send the
 * record to the dead letters when no candidate survived.
 */
public final class CandidateAssembler {
  public static final String TRANSLATION_FAILED = Candidate.TRANSLATION_FAILED;

  private static final ObjectMapper JSON = RecordJson.MAPPER;
  private static final Pattern THINK_TAG = Pattern.compile("</?think>");
  private static final Pattern TOOL_CALL =
      Pattern.compile("<tool_call>(.*?)</tool_call>", Pattern.DOTALL);

  private CandidateAssembler() {}

  public static Candidate assemble(
      RecordPlan plan, String backend, int candidate, Iterable<ChunkTranslation> translations) {
    Conversation conversation = plan.conversation();
    Map<Integer, ChunkTranslation> byChunk = new HashMap<>();
    long tokensIn = 0;
    long tokensOut = 0;
    for (ChunkTranslation t : translations) {
      byChunk.put(t.chunkIndex(), t);
      tokensIn += t.tokensIn();
      tokensOut += t.tokensOut();
    }

    // A chunk that failed for good makes the whole candidate untranslatable.
    for (Chunk chunk : plan.chunks()) {
      ChunkTranslation t = byChunk.get(chunk.chunkIndex());
      // A translation of another text under this chunk's index is another record's: never use it.
      boolean foreign = t != null && !t.source().equals(chunk.text());
      if (t == null || t.failed() || foreign) {
        String pointer = conversation.fields().get(chunk.fieldIndex()).pointer();
        String error = t == null ? "no translation arrived"
            : foreign ? "the translation that arrived is of another text" : t.error();
        return Candidate.unscored(
            conversation.recordId(), conversation.split(), backend, candidate, conversation.json(),
            false,
            TRANSLATION_FAILED + " at " + pointer + " (chunk " + chunk.chunkIndex() + "): " + error,
            "", "", tokensIn, tokensOut);
      }
    }

    JsonNode root;
    try {
      root = JSON.readTree(conversation.json());
    } catch (Exception e) {
      // Normalization already parsed this record; reaching here is a bug, surfaced per record.
      return Candidate.unscored(
          conversation.recordId(), conversation.split(), backend, candidate, conversation.json(), false,
          "record JSON no longer parses: " + e.getMessage(), "", "", tokensIn, tokensOut);
    }

    List<String> problems = new ArrayList<>();
    for (Chunk chunk : plan.chunks()) {
      ChunkTranslation t = byChunk.get(chunk.chunkIndex());
      String where = conversation.fields().get(chunk.fieldIndex()).pointer() + " chunk " + chunk.chunkIndex();
      if (t.truncated()) {
        problems.add(Candidate.TRUNCATED + ": " + where
            + " stopped at the length limit, also after a retry with more max_tokens");
      }
      if (ChunkTranslation.MEANING_REJECT.equals(t.meaning())) {
        problems.add(Candidate.MEANING + ": " + where
            + " is not a faithful translation, the quality judge says");
      }
    }
    StringBuilder sourceText = new StringBuilder();
    StringBuilder targetText = new StringBuilder();
    for (FieldPlan fieldPlan : plan.fields()) {
      TextField field = conversation.fields().get(fieldPlan.fieldIndex());
      StringBuilder translated = new StringBuilder(field.text().length() + 16);
      for (PlanPart part : fieldPlan.parts()) {
        if (!part.isChunk()) {
          translated.append(part.text());
          continue;
        }
        Chunk chunk = plan.chunks().get(part.chunkIndex());
        // Outer whitespace belongs to the plan (verbatim parts), not to the translator.
        String text = byChunk.get(part.chunkIndex()).text().strip();
        String problem = checkPlaceholders(text, chunk.spans().size());
        if (problem != null) {
          problems.add(field.pointer() + " chunk " + chunk.chunkIndex() + ": " + problem);
        }
        translated.append(Placeholders.restore(text, chunk.spans()));
        appendProse(sourceText, Placeholders.strip(chunk.text()));
        appendProse(targetText, Placeholders.strip(text));
      }
      String result = translated.toString();
      String structural = checkStructure(field.text(), result);
      if (structural != null) {
        problems.add(field.pointer() + ": " + structural);
      }
      JsonPointers.set(root, field.pointer(), result);
    }

    String json;
    try {
      json = JSON.writeValueAsString(root);
    } catch (Exception e) {
      throw new IllegalStateException("cannot write record " + conversation.recordId(), e);
    }
    return Candidate.unscored(
        conversation.recordId(), conversation.split(), backend, candidate, json, problems.isEmpty(),
        String.join("; ", problems), sourceText.toString(), targetText.toString(), tokensIn,
        tokensOut);
  }

  private static void appendProse(StringBuilder out, String text) {
    if (out.length() > 0) {
      out.append('\n');
    }
    out.append(text);
  }

  /**
   * Every placeholder ⟦0⟧…⟦count-1⟧ exactly once and in order, and no other; null when that holds.
   */
  static String checkPlaceholders(String text, int count) {
    Matcher m = Placeholders.PATTERN.matcher(text);
    int expected = 0;
    boolean[] seen = new boolean[count];
    List<String> issues = new ArrayList<>();
    while (m.find()) {
      int n = Integer.parseInt(m.group(1));
      if (n >= count) {
        issues.add("unknown placeholder " + m.group());
      } else if (seen[n]) {
        issues.add("placeholder " + m.group() + " repeated");
      } else {
        seen[n] = true;
        if (n != expected) {
          issues.add("protected span " + m.group() + " out of order");
        }
        expected = n + 1;
      }
    }
    for (int n = 0; n < count; n++) {
      if (!seen[n]) {
        issues.add("protected span " + Placeholders.of(n) + " missing");
      }
    }
    // Half-eaten placeholders ("⟦3" or "3⟧") are as bad as missing ones.
    long opens = text.chars().filter(c -> c == Placeholders.OPEN).count();
    long closes = text.chars().filter(c -> c == Placeholders.CLOSE).count();
    int complete = 0;
    m.reset();
    while (m.find()) {
      complete++;
    }
    if (opens != complete || closes != complete) {
      issues.add("damaged placeholder");
    }
    return issues.isEmpty() ? null : String.join(", ", issues);
  }

  /**
   * Think tags and tool calls of the finished field must match the source's; null when they do.
   * Tags equal to the source's are balanced whenever the source's are: real data has records with
   * a stray {@code </think>} (SmolTalk2-style think_tools line 6), which a translation must keep,
   * not repair.
   */
  static String checkStructure(String source, String translated) {
    List<String> sourceTags = matches(THINK_TAG, source, 0);
    List<String> translatedTags = matches(THINK_TAG, translated, 0);
    if (!sourceTags.equals(translatedTags)) {
      return "think tags differ from the source " + sourceTags + " vs " + translatedTags;
    }
    List<String> sourceCalls = matches(TOOL_CALL, source, 1);
    List<String> translatedCalls = matches(TOOL_CALL, translated, 1);
    if (sourceCalls.size() != translatedCalls.size()) {
      return "tool calls: " + sourceCalls.size() + " in the source, " + translatedCalls.size()
          + " translated";
    }
    for (int i = 0; i < sourceCalls.size(); i++) {
      JsonNode expected = parseOrNull(sourceCalls.get(i));
      JsonNode actual = parseOrNull(translatedCalls.get(i));
      if (expected != null && (actual == null || !expected.equals(actual))) {
        return "tool call " + i + " JSON differs from the source";
      }
      if (expected == null && !sourceCalls.get(i).equals(translatedCalls.get(i))) {
        return "tool call " + i + " differs from the source";
      }
    }
    return null;
  }

  private static List<String> matches(Pattern pattern, String text, int group) {
    List<String> out = new ArrayList<>();
    Matcher m = pattern.matcher(text);
    while (m.find()) {
      out.add(m.group(group));
    }
    return out;
  }

  private static JsonNode parseOrNull(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      return null;
    }
  }
}
