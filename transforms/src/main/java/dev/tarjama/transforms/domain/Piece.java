package dev.tarjama.transforms.domain;

import java.util.List;

/**
 * A run of a field's text after segmentation. Either
 *
 * <ul>
 *   <li><b>verbatim</b> ({@code prose == false}): a protected block (fenced code, a {@code
 *       <tool_call>} block, a {@code <think>} tag, the GSM8K {@code ####} line, whitespace between
 *       blocks, or a whole field whose role is not translated), restored byte-for-byte; {@code
 *       spanType} says which; or
 *   <li><b>prose</b>: translatable text in which each inline protected span (inline code, URL,
 *       e-mail, inline LaTeX, {@code <<calc>>} marks, markdown markers) was replaced by the
 *       placeholder {@link Placeholders#of(int) ⟦n⟧}; {@code spans.get(n)} is the original span and
 *       {@code spanTypes.get(n)} its type.
 * </ul>
 *
 * Concatenating the verbatim texts and the prose texts with placeholders restored gives back the
 * field's original text exactly.
 */
public record Piece(
    boolean prose, String spanType, String text, List<String> spans, List<String> spanTypes) {
  public Piece {
    spans = List.copyOf(spans);
    spanTypes = List.copyOf(spanTypes);
  }

  public static Piece verbatim(String spanType, String text) {
    return new Piece(false, spanType, text, List.of(), List.of());
  }

  public static Piece prose(String text, List<String> spans, List<String> spanTypes) {
    return new Piece(true, "", text, spans, spanTypes);
  }

  /** The original text of this piece, placeholders restored. */
  public String original() {
    return prose ? Placeholders.restore(text, spans) : text;
  }

  @Override
  public String toString() {
    return (prose ? "Prose{" : "Verbatim{" + spanType + ", ") + text + "}";
  }
}
