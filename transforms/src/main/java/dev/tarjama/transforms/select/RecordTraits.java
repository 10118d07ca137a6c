package dev.tarjama.transforms.select;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.io.JsonPointers;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.transforms.domain.Conversation;
import dev.tarjama.transforms.domain.TextField;
import dev.tarjama.transforms.segment.ProtectedSpans;
import dev.tarjama.transforms.segment.SpanType;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What source selection needs to know about one record: its mode (think / no-think), its category
 * value, its code share and its prose for language identification. Plain logic; see {@link
 * Selection} for the definitions.
 */
public final class RecordTraits {
  /** fastText needs no more to be sure, and a long record would only cost time. */
  static final int MAX_PROSE_CHARS = 4_000;

  private static final Set<SpanType> FENCES = EnumSet.of(SpanType.CODE_FENCE);

  private RecordTraits() {}

  /**
   * {@link Selection#THINK} or {@link Selection#NO_THINK}: SmolTalk2's {@code
   * chat_template_kwargs.enable_thinking} when the record has it, else whether it has reasoning
   * (a typed reasoning part, or {@code <think>} in an assistant turn).
   */
  public static String mode(Conversation c) {
    return mode(c, parse(c.json()));
  }

  /** {@link #mode(Conversation)} of a record whose JSON is already parsed as {@code root}. */
  public static String mode(Conversation c, JsonNode root) {
    JsonNode flag = root.path("chat_template_kwargs").path("enable_thinking");
    if (flag.isBoolean()) {
      return flag.booleanValue() ? Selection.THINK : Selection.NO_THINK;
    }
    for (TextField f : c.fields()) {
      if (f.kind().equals("reasoning")
          || (f.role().equals("assistant") && f.text().contains("<think>"))) {
        return Selection.THINK;
      }
    }
    return Selection.NO_THINK;
  }

  /**
   * The raw category value: the record's {@code field} (a top-level name, or a JSON Pointer when
   * it starts with {@code /}; numbers and booleans as their text) or, with no field, its split;
   * "" when the field is missing or not a scalar.
   */
  public static String categoryValue(Conversation c, String field) {
    return field == null ? c.split() : categoryValue(c, field, parse(c.json()));
  }

  /** {@link #categoryValue(Conversation, String)} with the record's JSON parsed as {@code root}. */
  public static String categoryValue(Conversation c, String field, JsonNode root) {
    if (field == null) {
      return c.split();
    }
    JsonNode value = field.startsWith("/") ? JsonPointers.at(root, field) : root.get(field);
    return value == null || !value.isValueNode() || value.isNull() ? "" : value.asText();
  }

  /**
   * Characters inside fenced code blocks (fences included) ÷ non-whitespace characters, over the
   * record's text fields except tool results; 0 for a record without text.
   */
  public static double codeShare(Conversation c) {
    long all = 0;
    long code = 0;
    for (TextField f : c.fields()) {
      if (f.role().equals("tool")) {
        continue;
      }
      all += nonWhitespace(f.text(), 0, f.text().length());
      for (ProtectedSpans.Span span : ProtectedSpans.find(f.text(), FENCES)) {
        if (span.type() == SpanType.CODE_FENCE) {
          code += nonWhitespace(f.text(), span.start(), span.end());
        }
      }
    }
    return all == 0 ? 0.0 : (double) code / all;
  }

  /**
   * The record's prose for language identification: its text fields except tool results and
   * tool-call parts, every protected span (code, math, URLs, tool calls, JSON, markup) cut out,
   * joined by spaces, at most {@value #MAX_PROSE_CHARS} characters.
   */
  public static String prose(Conversation c) {
    StringBuilder out = new StringBuilder();
    for (TextField f : c.fields()) {
      if (f.role().equals("tool") || f.role().equals("function_call") || f.kind().equals("tool_call")) {
        continue;
      }
      int at = 0;
      List<ProtectedSpans.Span> spans = ProtectedSpans.find(f.text(), ProtectedSpans.TRANSLATION_DEFAULT);
      for (ProtectedSpans.Span span : spans) {
        out.append(f.text(), at, span.start()).append(' ');
        at = span.end();
      }
      out.append(f.text(), at, f.text().length()).append(' ');
      if (out.length() >= MAX_PROSE_CHARS) {
        break;
      }
    }
    String prose = out.toString().replaceAll("\\s+", " ").strip();
    return prose.length() <= MAX_PROSE_CHARS ? prose : prose.substring(0, MAX_PROSE_CHARS);
  }

  private static long nonWhitespace(String text, int from, int to) {
    long n = 0;
    for (int i = from; i < to; i++) {
      if (!Character.isWhitespace(text.charAt(i))) {
        n++;
      }
    }
    return n;
  }

  static JsonNode parse(String json) {
    try {
      return RecordJson.parse(json);
    } catch (JsonProcessingException e) {
      // Normalize only emits records whose JSON parsed.
      throw new IllegalStateException("record JSON does not parse: " + e.getOriginalMessage(), e);
    }
  }
}
