package dev.tarjama.transforms.translate;

import dev.tarjama.transforms.chunk.SentenceSplitter;
import dev.tarjama.transforms.domain.Placeholders;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cuts a chunk's text into what a local MT model is given and what stays as it is, and puts the
 * translations back. A sentence-level model (Marian, NLLB) cannot be trusted with placeholders
 * ⟦n⟧, line breaks or markdown markers: it drops, moves or translates them. So the text is cut
 * into sentences (lines end sentences), each sentence at its placeholders, and only the prose in
 * between goes to the model; placeholders, whitespace, line breaks, list/heading/quote markers at
 * the start of a line, and pieces without a letter (punctuation, numbers) are kept verbatim, in
 * their places. A local model therefore never breaks a protected span, and the placeholders come
 * back in their source order (a translation that would reorder them around prose cannot).
 *
 * <p>Not thread-safe (the sentence splitter has state): one instance per thread.
 */
public final class TranslationUnits {
  /** A list, heading or quote marker at the start of a line, with the spaces after it. */
  private static final Pattern LINE_MARKER =
      Pattern.compile("(?:#{1,6}|[-*+>]|\\d{1,3}[.)])[ \\t]+");

  /** One piece of a chunk: prose to translate, or text kept as it is. */
  public record Part(String text, boolean translate) {}

  private final SentenceSplitter sentences = new SentenceSplitter();

  /** The parts of {@code text}, in order; their texts concatenate back to {@code text}. */
  public List<Part> split(String text) {
    List<Part> parts = new ArrayList<>();
    int offset = 0;
    for (String sentence : sentences.split(text)) {
      Matcher m = Placeholders.PATTERN.matcher(sentence);
      int from = 0;
      while (m.find()) {
        prose(text, offset + from, offset + m.start(), parts);
        verbatim(m.group(), parts);
        from = m.end();
      }
      prose(text, offset + from, offset + sentence.length(), parts);
      offset += sentence.length();
    }
    return parts;
  }

  /** Prose between placeholders: edges and line markers verbatim, the rest translated if it has a letter. */
  private static void prose(String text, int start, int end, List<Part> parts) {
    int s = start;
    while (s < end && Character.isWhitespace(text.charAt(s))) {
      s++;
    }
    if (s < end && lineStart(text, s)) {
      Matcher marker = LINE_MARKER.matcher(text).region(s, end);
      if (marker.lookingAt()) {
        s = marker.end();
      }
    }
    int e = end;
    while (e > s && Character.isWhitespace(text.charAt(e - 1))) {
      e--;
    }
    verbatim(text.substring(start, s), parts);
    String core = text.substring(s, e);
    if (core.codePoints().anyMatch(Character::isLetter)) {
      parts.add(new Part(core, true));
    } else {
      verbatim(core, parts);
    }
    verbatim(text.substring(e, end), parts);
  }

  /** Whether {@code at} begins a line once leading spaces are skipped. */
  private static boolean lineStart(String text, int at) {
    int i = at;
    while (i > 0 && (text.charAt(i - 1) == ' ' || text.charAt(i - 1) == '\t')) {
      i--;
    }
    return i == 0 || text.charAt(i - 1) == '\n' || text.charAt(i - 1) == '\r';
  }

  /** Appends kept text, merged with a kept part before it. */
  private static void verbatim(String text, List<Part> parts) {
    if (text.isEmpty()) {
      return;
    }
    int last = parts.size() - 1;
    if (last >= 0 && !parts.get(last).translate()) {
      parts.set(last, new Part(parts.get(last).text() + text, false));
    } else {
      parts.add(new Part(text, false));
    }
  }

  /** The texts of the parts to translate, in order. */
  public static List<String> sources(List<Part> parts) {
    List<String> out = new ArrayList<>();
    for (Part p : parts) {
      if (p.translate()) {
        out.add(p.text());
      }
    }
    return out;
  }

  /**
   * The chunk with each part to translate replaced by its translation ({@code translations} in the
   * order of {@link #sources}), the kept parts as they were.
   */
  public static String join(List<Part> parts, List<String> translations) {
    StringBuilder out = new StringBuilder();
    int next = 0;
    for (Part p : parts) {
      if (p.translate()) {
        if (next >= translations.size()) {
          throw new IllegalArgumentException(
              "fewer translations (" + translations.size() + ") than parts to translate");
        }
        out.append(translations.get(next++).strip());
      } else {
        out.append(p.text());
      }
    }
    if (next != translations.size()) {
      throw new IllegalArgumentException(
          "more translations (" + translations.size() + ") than parts to translate (" + next + ")");
    }
    return out.toString();
  }
}
