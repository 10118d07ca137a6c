package dev.tarjama.transforms.segment;

import java.util.Locale;

/**
 * The kinds of protected text that {@link ProtectedSpans} finds, and the kinds of verbatim {@link
 * dev.tarjama.transforms.domain.Piece}s the {@link Segmenter} emits. {@link #id()} is the string
 * that appears in {@code Piece.spanType} / {@code Piece.spanTypes}, in counters and in reports.
 *
 * <p>Three groups:
 *
 * <ul>
 *   <li>{@linkplain #optional() optional} kinds: protected by default, a {@link SegmentPolicy} may
 *       hand them to the translator instead (e.g. markdown emphasis, inline code);
 *   <li>always-protected kinds ({@link #THINK_TAG}, {@link #PLACEHOLDER}) and the structural piece
 *       kinds ({@link #WHITESPACE}, {@link #UNTRANSLATED}, {@link #SYMBOLS}, {@link #REASONING})
 *       that describe why a piece is verbatim rather than a span the finder looks for;
 *   <li>{@linkplain #scoreOnly() score-only} kinds ({@link #CHEM_FORMULA}, {@link #MATH_SYMBOL}):
 *       part of the SCR whitelist, never protected during translation (a translator may keep
 *       "H2O" as it is, but replacing every lone letter of English prose by a placeholder would
 *       wreck the source).
 * </ul>
 */
public enum SpanType {
  /** ``` or ~~~ fenced code block, fences included. */
  CODE_FENCE(true, false),
  /** {@code [asy]…[/asy]} Asymptote code (MATH dataset figures). */
  ASYMPTOTE(true, false),
  /** {@code <tool_call>…</tool_call>}, {@code <tool_response>…}, {@code <tools>…} blocks. */
  TOOL_CALL(true, false),
  /** A line, or a whole field, that is a JSON object or array (tool-call JSON). */
  JSON(true, false),
  /** The {@code <think>} and {@code </think>} tags themselves (never translated). */
  THINK_TAG(false, false),
  /** Display math: {@code $$…$$}, {@code \[…\]}. */
  MATH_DISPLAY(true, false),
  /** A LaTeX environment {@code \begin{env}…\end{env}}. */
  MATH_ENV(true, false),
  /** Inline math: {@code $…$} (pandoc's rules), {@code \(…\)}. */
  MATH_INLINE(true, false),
  /** The GSM8K final answer line {@code #### 42}. */
  GSM8K_ANSWER(true, false),
  /** GSM8K calculator annotations {@code <<16-3-4=9>>}. */
  CALC(true, false),
  /** Inline code in backticks (runs of matching length). */
  INLINE_CODE(true, false),
  URL(true, false),
  EMAIL(true, false),
  /** HTML tags such as {@code <br>} or {@code </b>} (known element names only) and comments. */
  HTML_TAG(true, false),
  /**
   * A whole inline element whose content is literal: {@code <kbd>Ctrl</kbd>}, {@code <code>},
   * {@code <samp>}, {@code <var>}, {@code <tt>} ({@link HtmlElementSpans}).
   */
  HTML_ELEMENT(true, false),
  /** A JSON object inline in prose, {@code {"key": …}} ({@link InlineJsonSpans}). */
  INLINE_JSON(true, false),
  /** A run of emoji sequences: 🎉, ❤️, 👩‍💻, 1️⃣, flags ({@link EmojiSpans}). */
  EMOJI(true, false),
  /** Heading prefix {@code ## }. */
  MD_HEADING(true, false),
  /** List bullets {@code - }, {@code * }, {@code + }, {@code 1. } with their indentation. */
  MD_LIST(true, false),
  /** Blockquote prefix {@code > }. */
  MD_BLOCKQUOTE(true, false),
  /** Table pipes inside rows, and whole separator rows {@code |---|:--:|}. */
  MD_TABLE(true, false),
  /** Horizontal rules {@code ---}, {@code ***}. */
  MD_RULE(true, false),
  /** Emphasis markers {@code **}, {@code __}, {@code *}, {@code _}, {@code ~~} (paired). */
  MD_EMPHASIS(true, false),
  /** The {@code [} and {@code ](destination)} of a markdown link; the link text is prose. */
  MD_LINK(true, false),
  /** A literal ⟦n⟧ already present in the source (kept so that it cannot collide). */
  PLACEHOLDER(false, false),
  /** Whitespace around and between protected blocks. */
  WHITESPACE(false, false),
  /** A whole field whose role or kind is not translated. */
  UNTRANSLATED(false, false),
  /** Text between blocks with no letter or digit outside protected spans. */
  SYMBOLS(false, false),
  /** Text inside {@code <think>…</think>} when the policy does not translate reasoning. */
  REASONING(false, false),
  /** Chemical formulas such as H2O, NaCl, C6H12O6 (SCR whitelist only). */
  CHEM_FORMULA(false, true),
  /**
   * A lone Latin or Greek letter used as a math symbol: x, n, π (SCR whitelist only). Math
   * alphanumerics (𝑥) have no script and are never counted anyway.
   */
  MATH_SYMBOL(false, true);

  private final boolean optional;
  private final boolean scoreOnly;
  private final String id;

  SpanType(boolean optional, boolean scoreOnly) {
    this.optional = optional;
    this.scoreOnly = scoreOnly;
    this.id = name().toLowerCase(Locale.ROOT);
  }

  /** The name used in pieces, counters and configuration, e.g. {@code code_fence}. */
  public String id() {
    return id;
  }

  /** Whether a {@link SegmentPolicy} may choose to translate this kind instead of protecting it. */
  public boolean optional() {
    return optional;
  }

  /** Whether this kind is only whitelisted by SCR, never protected during translation. */
  public boolean scoreOnly() {
    return scoreOnly;
  }

  /** The type whose {@link #id()} (or enum name) is {@code name}, case-insensitively. */
  public static SpanType fromId(String name) {
    String key = name.trim().toUpperCase(Locale.ROOT);
    for (SpanType t : values()) {
      if (t.name().equals(key)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown span type: " + name);
  }
}
