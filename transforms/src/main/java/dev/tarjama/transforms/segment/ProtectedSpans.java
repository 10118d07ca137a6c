package dev.tarjama.transforms.segment;

import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The one place that knows what protected text looks like: the {@link Segmenter} keeps these
 * spans out of the translator's hands and {@link dev.tarjama.transforms.score.ScriptPurity} leaves
 * them out of SCR. Pure Java, stateless, thread-safe.
 *
 * <p>{@link #find} works in two passes ({@link SpanFinder}), asking one class per span family:
 * {@link CodeSpans}, {@link MathSpans}, {@link LinkSpans}, {@link MarkupSpans} and {@link
 * DatasetSpans}. The block pass walks the text line by line and finds
 * structure that stands on its own: fenced code, {@code [asy]} code, {@code <tool_call>}-style
 * blocks, {@code <think>}/{@code </think>} tags, display math on its own lines, the GSM8K {@code
 * ####} line, markdown table separators and rules, and JSON objects/arrays that fill their lines.
 * The inline pass then looks inside the text between blocks for inline code, URLs, e-mail
 * addresses, inline math, calculator marks, HTML tags, literal placeholders and markdown markers,
 * and, each family in its own small class, emoji ({@link EmojiSpans}), inline JSON objects ({@link
 * InlineJsonSpans}) and literal HTML elements such as {@code <kbd>Ctrl</kbd>} ({@link
 * HtmlElementSpans}).
 *
 * <p>Decisions worth knowing:
 *
 * <ul>
 *   <li>Inline {@code $…$} follows pandoc: the opening {@code $} is not followed by whitespace,
 *       the closing one is not preceded by whitespace nor followed by a digit, no newline inside,
 *       so that the prices of "$2 per egg … $18" are text. A LaTeX document (the field uses a
 *       {@code \command} or a closed {@code $$…$$}) writes currency as {@code \$}, so there a
 *       pair that breaks the whitespace rules is still math when its content looks like math
 *       ({@code \ ^ _ { } = + < >}): MATH-500 writes {@code $ x = \boxed{83}$}. Elsewhere a pair
 *       that pandoc would take but that reads as prices (it opens with a digit and holds English
 *       words, ends in an operator or runs into a calculator mark, as GSM8K's "$12 x 5
 *       =$&lt;&lt;12*5=60&gt;&gt;60") is text.
 *   <li>Emphasis markers count only in pairs on one line, with CommonMark's flanking rules, and
 *       never inside a word (snake_case, {@code 2*3}).
 *   <li>HTML tags count only for known HTML element names, so that a template's {@code <name>}
 *       stays translatable.
 *   <li>An unclosed code fence or tool block runs to the end of the text; an unclosed {@code $$}
 *       or environment is text.
 * </ul>
 */
public final class ProtectedSpans {

  /** A protected region {@code [start, end)} of the text; {@code block} spans become pieces. */
  public record Span(int start, int end, SpanType type, boolean block) {
    public String text(String source) {
      return source.substring(start, end);
    }
  }

  private static final Set<SpanType> ALWAYS = EnumSet.of(SpanType.THINK_TAG, SpanType.PLACEHOLDER);

  /** Every kind the finder can protect during translation: the default of {@link SegmentPolicy}. */
  public static final Set<SpanType> TRANSLATION_DEFAULT;

  /** What SCR removes before counting letters: every protected kind plus the score-only ones. */
  public static final Set<SpanType> SCORE_WHITELIST;

  static {
    EnumSet<SpanType> translation = EnumSet.copyOf(ALWAYS);
    EnumSet<SpanType> score = EnumSet.copyOf(ALWAYS);
    for (SpanType t : SpanType.values()) {
      if (t.optional()) {
        translation.add(t);
        score.add(t);
      }
      if (t.scoreOnly()) {
        score.add(t);
      }
    }
    TRANSLATION_DEFAULT = java.util.Collections.unmodifiableSet(translation);
    SCORE_WHITELIST = java.util.Collections.unmodifiableSet(score);
  }

  private ProtectedSpans() {}

  /**
   * The protected spans of {@code text} of the {@code enabled} kinds (think tags and literal
   * placeholders are always found), sorted and non-overlapping.
   */
  public static List<Span> find(String text, Collection<SpanType> enabled) {
    EnumSet<SpanType> on = EnumSet.copyOf(ALWAYS);
    on.addAll(enabled);
    return new SpanFinder(text, on).run();
  }

  /** Whether {@code text}, stripped of surrounding whitespace, is one JSON object or array. */
  public static boolean isJsonDocument(String text) {
    String s = text.strip();
    if (s.isEmpty() || (s.charAt(0) != '{' && s.charAt(0) != '[')) {
      return false;
    }
    return DatasetSpans.parsesAsJsonContainer(s);
  }
}
