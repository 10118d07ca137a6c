package dev.tarjama.transforms.segment;

import dev.tarjama.transforms.domain.Piece;
import dev.tarjama.transforms.domain.Placeholders;
import dev.tarjama.transforms.domain.TextField;
import dev.tarjama.transforms.segment.ProtectedSpans.Span;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a field's text into {@link Piece}s: verbatim protected blocks, and prose in which each
 * inline protected span is replaced by a placeholder ⟦n⟧ (numbered from 0 in every prose piece).
 * Pure Java, stateless, thread-safe.
 *
 * <p>Around every prose piece, leading and trailing whitespace and protected spans are split off
 * as verbatim pieces: translators do not keep edge whitespace reliably, and a placeholder that is
 * never sent cannot be lost. Text between blocks with no letter or digit outside its spans (a lone
 * "**", "⟦0⟧.") is verbatim too ({@code symbols}). A field whose role or kind the policy does not
 * translate is one verbatim piece ({@code untranslated}).
 *
 * <p>Invariant, checked on every call: concatenating {@link Piece#original()} of the pieces gives
 * back the field's text exactly; a violation throws {@link IllegalStateException}.
 */
public final class Segmenter {

  /** Placeholders run ⟦0⟧…⟦9999⟧ ({@link Placeholders#PATTERN} takes at most 4 digits). */
  public static final int MAX_SPANS_PER_PIECE = 10_000;

  private final SegmentPolicy policy;

  public Segmenter(SegmentPolicy policy) {
    this.policy = policy;
  }

  public SegmentPolicy policy() {
    return policy;
  }

  /** The pieces of {@code field}; an empty text has none. */
  public List<Piece> segment(TextField field) {
    String text = field.text();
    List<Piece> pieces;
    if (text.isEmpty()) {
      pieces = List.of();
    } else if (!policy.translates(field)) {
      pieces = List.of(Piece.verbatim(SpanType.UNTRANSLATED.id(), text));
    } else {
      pieces = segment(text);
    }
    checkRestores(field, pieces);
    return pieces;
  }

  /** The pieces of a text that is translated (role and kind are not consulted). */
  public List<Piece> segment(String text) {
    List<Span> spans = ProtectedSpans.find(text, policy.protectedSpanTypes());
    List<Piece> pieces = new ArrayList<>();
    List<Span> inline = new ArrayList<>();
    int pos = 0;
    boolean inThink = false;
    for (Span s : spans) {
      if (!s.block()) {
        inline.add(s);
        continue;
      }
      gap(text, pos, s.start(), inline, inThink, pieces);
      inline.clear();
      pieces.add(Piece.verbatim(s.type().id(), s.text(text)));
      if (s.type() == SpanType.THINK_TAG) {
        inThink = s.end() - s.start() == "<think>".length();
      }
      pos = s.end();
    }
    gap(text, pos, text.length(), inline, inThink, pieces);
    return pieces;
  }

  /** The pieces of the text between two blocks, {@code [a, b)}, with its inline spans. */
  private void gap(String t, int a, int b, List<Span> spans, boolean inThink, List<Piece> out) {
    if (a >= b) {
      return;
    }
    if (inThink && !policy.translateThink()) {
      out.add(Piece.verbatim(SpanType.REASONING.id(), t.substring(a, b)));
      return;
    }
    int lo = a;
    int hi = b;
    int first = 0;
    int last = spans.size();
    // leading whitespace and spans
    while (lo < hi) {
      int w = lo;
      int stop = first < last ? spans.get(first).start() : hi;
      while (w < stop && Character.isWhitespace(t.charAt(w))) {
        w++;
      }
      if (w > lo) {
        out.add(Piece.verbatim(SpanType.WHITESPACE.id(), t.substring(lo, w)));
        lo = w;
      }
      if (first < last && spans.get(first).start() == lo) {
        Span s = spans.get(first++);
        out.add(Piece.verbatim(s.type().id(), s.text(t)));
        lo = s.end();
        continue;
      }
      break;
    }
    // trailing whitespace and spans, collected backwards
    List<Piece> tail = new ArrayList<>();
    while (hi > lo) {
      int w = hi;
      int stop = last > first ? spans.get(last - 1).end() : lo;
      while (w > stop && Character.isWhitespace(t.charAt(w - 1))) {
        w--;
      }
      if (w < hi) {
        tail.add(Piece.verbatim(SpanType.WHITESPACE.id(), t.substring(w, hi)));
        hi = w;
      }
      if (last > first && spans.get(last - 1).end() == hi) {
        Span s = spans.get(--last);
        tail.add(Piece.verbatim(s.type().id(), s.text(t)));
        hi = s.start();
        continue;
      }
      break;
    }
    if (lo < hi) {
      out.add(prose(t, lo, hi, spans.subList(first, last)));
    }
    for (int i = tail.size() - 1; i >= 0; i--) {
      out.add(tail.get(i));
    }
  }

  private static Piece prose(String t, int lo, int hi, List<Span> spans) {
    if (spans.size() > MAX_SPANS_PER_PIECE) {
      throw new IllegalStateException("a prose run of " + (hi - lo) + " chars holds "
          + spans.size() + " protected spans; placeholders stop at ⟦"
          + (MAX_SPANS_PER_PIECE - 1) + "⟧");
    }
    StringBuilder text = new StringBuilder(hi - lo + 4 * spans.size());
    List<String> originals = new ArrayList<>(spans.size());
    List<String> types = new ArrayList<>(spans.size());
    boolean hasText = false;
    int pos = lo;
    for (Span s : spans) {
      hasText |= hasLetterOrDigit(t, pos, s.start());
      text.append(t, pos, s.start()).append(Placeholders.of(originals.size()));
      originals.add(s.text(t));
      types.add(s.type().id());
      pos = s.end();
    }
    hasText |= hasLetterOrDigit(t, pos, hi);
    if (!hasText) {
      return Piece.verbatim(SpanType.SYMBOLS.id(), t.substring(lo, hi));
    }
    text.append(t, pos, hi);
    return Piece.prose(text.toString(), originals, types);
  }

  private static boolean hasLetterOrDigit(String t, int a, int b) {
    for (int i = a; i < b; ) {
      int cp = t.codePointAt(i);
      if (Character.isLetterOrDigit(cp)) {
        return true;
      }
      i += Character.charCount(cp);
    }
    return false;
  }

  private static void checkRestores(TextField field, List<Piece> pieces) {
    StringBuilder restored = new StringBuilder(field.text().length());
    for (Piece p : pieces) {
      restored.append(p.original());
    }
    if (!restored.toString().equals(field.text())) {
      int at = 0;
      int max = Math.min(restored.length(), field.text().length());
      while (at < max && restored.charAt(at) == field.text().charAt(at)) {
        at++;
      }
      throw new IllegalStateException("segmentation of " + field.pointer()
          + " does not restore the text: first difference at char " + at + " of "
          + field.text().length());
    }
  }
}
