package dev.tarjama.transforms.segment;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tarjama.transforms.model.Placeholders;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that knows what protected text looks like: the {@link Segmenter} keeps these
 * spans out of the translator's hands and {@link dev.tarjama.transforms.score.ScriptPurity} leaves
 * them out of SCR. Pure Java, stateless, thread-safe.
 *
 * <p>{@link #find} works in two passes. The block pass walks the text line by line and finds
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

  private static final ObjectMapper JSON =
      new ObjectMapper().disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);

  /** Bounds for searches that start at an inline opener, so a stray opener costs O(1), not O(n). */
  private static final int MAX_INLINE = 20_000;

  private static final int MAX_JSON = 1_000_000;

  private static final Set<String> URL_SCHEMES =
      Set.of("http", "https", "ftp", "ftps", "sftp", "file", "ws", "wss", "s3", "gs", "git",
          "ssh", "hdfs");

  private static final Set<String> HTML_TAGS =
      Set.of("a", "abbr", "address", "article", "aside", "audio", "b", "blockquote", "body", "br",
          "button", "canvas", "caption", "center", "cite", "code", "col", "colgroup", "dd", "del",
          "details", "div", "dl", "dt", "em", "embed", "fieldset", "figcaption", "figure", "font",
          "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hr", "html",
          "i", "iframe", "img", "input", "ins", "kbd", "label", "legend", "li", "link", "main",
          "mark", "meta", "nav", "noscript", "ol", "optgroup", "option", "p", "pre", "q", "s",
          "samp", "script", "section", "select", "small", "source", "span", "strike", "strong",
          "style", "sub", "summary", "sup", "svg", "table", "tbody", "td", "template", "textarea",
          "tfoot", "th", "thead", "title", "tr", "u", "ul", "var", "video", "wbr");

  private static final String[] TOOL_TAGS = {"tool_call", "tool_response", "tools"};

  private static final Set<String> ELEMENTS =
      Set.of("H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne", "Na", "Mg", "Al", "Si", "P",
          "S", "Cl", "Ar", "K", "Ca", "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn",
          "Ga", "Ge", "As", "Se", "Br", "Kr", "Rb", "Sr", "Y", "Zr", "Nb", "Mo", "Tc", "Ru", "Rh",
          "Pd", "Ag", "Cd", "In", "Sn", "Sb", "Te", "I", "Xe", "Cs", "Ba", "La", "Ce", "Pr", "Nd",
          "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Hf", "Ta", "W", "Re",
          "Os", "Ir", "Pt", "Au", "Hg", "Tl", "Pb", "Bi", "Po", "At", "Rn", "Fr", "Ra", "Ac", "Th",
          "Pa", "U", "Np", "Pu", "Am", "Cm", "Bk", "Cf", "Es", "Fm", "Md", "No", "Lr", "Rf", "Db",
          "Sg", "Bh", "Hs", "Mt", "Ds", "Rg", "Cn", "Nh", "Fl", "Mc", "Lv", "Ts", "Og");

  private static final Pattern TABLE_SEPARATOR =
      Pattern.compile("\\|?[ \\t]*:?-+:?[ \\t]*(\\|[ \\t]*:?-+:?[ \\t]*)*\\|?");

  private static final Pattern HORIZONTAL_RULE =
      Pattern.compile(" {0,3}([-*_])[ \\t]*(\\1[ \\t]*){2,}");

  private ProtectedSpans() {}

  /**
   * The protected spans of {@code text} of the {@code enabled} kinds (think tags and literal
   * placeholders are always found), sorted and non-overlapping.
   */
  public static List<Span> find(String text, Collection<SpanType> enabled) {
    EnumSet<SpanType> on = EnumSet.copyOf(ALWAYS);
    on.addAll(enabled);
    return new Finder(text, on).run();
  }

  /** Whether {@code text}, stripped of surrounding whitespace, is one JSON object or array. */
  public static boolean isJsonDocument(String text) {
    String s = text.strip();
    if (s.isEmpty() || (s.charAt(0) != '{' && s.charAt(0) != '[')) {
      return false;
    }
    return parsesAsJsonContainer(s);
  }

  private static boolean parsesAsJsonContainer(String s) {
    try (JsonParser p = JSON.getFactory().createParser(s)) {
      JsonNode node = JSON.readTree(p);
      return node != null && node.isContainerNode() && p.nextToken() == null;
    } catch (Exception e) {
      return false;
    }
  }

  private static boolean isHorizontalSpace(char c) {
    return c == ' ' || c == '\t';
  }

  private static boolean isPunctuation(int c) {
    if (c < 128) {
      return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96)
          || (c >= 123 && c <= 126);
    }
    int type = Character.getType(c);
    return type == Character.CONNECTOR_PUNCTUATION || type == Character.DASH_PUNCTUATION
        || type == Character.START_PUNCTUATION || type == Character.END_PUNCTUATION
        || type == Character.INITIAL_QUOTE_PUNCTUATION || type == Character.FINAL_QUOTE_PUNCTUATION
        || type == Character.OTHER_PUNCTUATION || type == Character.MATH_SYMBOL
        || type == Character.CURRENCY_SYMBOL || type == Character.MODIFIER_SYMBOL
        || type == Character.OTHER_SYMBOL;
  }

  /** One run of {@link #find}: the text, the kinds switched on, and what was found so far. */
  private static final class Finder {
    private final String t;
    private final int n;
    private final EnumSet<SpanType> on;
    private final boolean latexDocument;
    private final boolean scoreSymbols;
    private final List<Span> blocks = new ArrayList<>();
    private final List<Span> out = new ArrayList<>();

    Finder(String text, EnumSet<SpanType> on) {
      this.t = text;
      this.n = text.length();
      this.on = on;
      this.latexDocument = usesLatexCommands(text);
      this.scoreSymbols = on.contains(SpanType.CHEM_FORMULA) || on.contains(SpanType.MATH_SYMBOL);
    }

    List<Span> run() {
      if (on.contains(SpanType.JSON) && isJsonDocument(t)) {
        // a whole field of tool-call JSON, however it is laid out
        int start = 0;
        while (Character.isWhitespace(t.charAt(start))) {
          start++;
        }
        blocks.add(new Span(start, trimEnd(start, n), SpanType.JSON, true));
      } else {
        scanBlocks();
      }
      int pos = 0;
      for (Span b : blocks) {
        if (b.start() > pos) {
          scanInline(pos, b.start());
        }
        out.add(b);
        pos = b.end();
      }
      if (pos < n) {
        scanInline(pos, n);
      }
      return out;
    }

    // ---------------------------------------------------------------- helpers

    /** A LaTeX document: it uses a {@code \\command} or a closed {@code $$…$$} somewhere. */
    private static boolean usesLatexCommands(String s) {
      int display = s.indexOf("$$");
      if (display >= 0 && s.indexOf("$$", display + 2) > display + 2) {
        return true;
      }
      for (int i = s.indexOf('\\'); i >= 0 && i + 2 < s.length(); i = s.indexOf('\\', i + 1)) {
        if (isAsciiLetter(s.charAt(i + 1)) && isAsciiLetter(s.charAt(i + 2))) {
          return true;
        }
      }
      return false;
    }

    private static boolean isAsciiLetter(char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private int lineEnd(int i) {
      int e = t.indexOf('\n', i);
      return e < 0 ? n : e;
    }

    private int skipHorizontalSpace(int i, int limit) {
      while (i < limit && isHorizontalSpace(t.charAt(i))) {
        i++;
      }
      return i;
    }

    private boolean isBlank(int a, int b) {
      for (int i = a; i < b; i++) {
        if (!Character.isWhitespace(t.charAt(i))) {
          return false;
        }
      }
      return true;
    }

    private int trimEnd(int a, int b) {
      while (b > a && Character.isWhitespace(t.charAt(b - 1))) {
        b--;
      }
      return b;
    }

    private int runLength(int i, char c) {
      int k = i;
      while (k < n && t.charAt(k) == c) {
        k++;
      }
      return k - i;
    }

    /** Whether the character at {@code k} is preceded by an odd number of backslashes. */
    private boolean escaped(int k) {
      int b = 0;
      for (int i = k - 1; i >= 0 && t.charAt(i) == '\\'; i--) {
        b++;
      }
      return (b & 1) == 1;
    }

    /** Whether a blank line (only whitespace between two newlines) lies in {@code [a, b)}. */
    private boolean hasBlankLine(int a, int b) {
      for (int i = t.indexOf('\n', a); i >= 0 && i < b; i = t.indexOf('\n', i + 1)) {
        int j = i + 1;
        while (j < b && j < n && t.charAt(j) != '\n' && Character.isWhitespace(t.charAt(j))) {
          j++;
        }
        if (j < b && j < n && t.charAt(j) == '\n') {
          return true;
        }
      }
      return false;
    }

    /**
     * The index of the next unescaped {@code delim} in {@code [from, limit)}, or -1; newlines
     * allowed or not, blank lines never unless {@code acrossParagraphs}.
     */
    private int findClosing(String delim, int from, int limit, boolean acrossLines,
        boolean acrossParagraphs) {
      int k = from;
      while (true) {
        int idx = t.indexOf(delim, k);
        if (idx < 0 || idx + delim.length() > limit) {
          return -1;
        }
        if (!acrossLines) {
          int nl = t.indexOf('\n', from);
          if (nl >= 0 && nl < idx) {
            return -1;
          }
        } else if (!acrossParagraphs && hasBlankLine(from, idx)) {
          return -1;
        }
        if (!escaped(idx)) {
          return idx;
        }
        k = idx + 1;
      }
    }

    /** The end of {@code \begin{name}…\end{name}} opened at {@code i}, or -1. */
    private int environmentEnd(int i, int limit) {
      int nameStart = i + "\\begin{".length();
      int close = t.indexOf('}', nameStart);
      if (close < 0 || close == nameStart || close - nameStart > 40) {
        return -1;
      }
      for (int k = nameStart; k < close; k++) {
        char c = t.charAt(k);
        if (!isAsciiLetter(c) && c != '*') {
          return -1;
        }
      }
      String name = t.substring(nameStart, close);
      String begin = "\\begin{" + name + "}";
      String end = "\\end{" + name + "}";
      int depth = 1;
      int k = close + 1;
      while (depth > 0) {
        int ie = t.indexOf(end, k);
        if (ie < 0 || ie + end.length() > limit) {
          return -1;
        }
        int ib = t.indexOf(begin, k);
        if (ib >= 0 && ib < ie) {
          depth++;
          k = ib + begin.length();
        } else {
          depth--;
          k = ie + end.length();
        }
      }
      return k;
    }

    /** Whether the line starting at {@code ls} opens a code fence (3+ backticks or tildes). */
    private boolean opensFence(int ls) {
      int le = lineEnd(ls);
      int j = skipHorizontalSpace(ls, le);
      if (j >= le) {
        return false;
      }
      char c = t.charAt(j);
      return (c == '`' || c == '~') && runLength(j, c) >= 3;
    }

    /**
     * The end of the inline code span whose opening run of {@code len} backticks ends at {@code
     * from}: the end of the next run of exactly {@code len} backticks in the same paragraph
     * (CommonMark), or -1. A blank line or a fence line ends the paragraph.
     */
    private int codeSpanEnd(int from, int len, int limit) {
      int k = from;
      while (k < limit && k - from < MAX_INLINE) {
        char c = t.charAt(k);
        if (c == '`') {
          int r = runLength(k, '`');
          if (k + r > limit) {
            return -1;
          }
          if (r == len) {
            return k + r;
          }
          k += r;
        } else if (c == '\n') {
          int next = k + 1;
          if (next >= limit) {
            return -1;
          }
          int le = lineEnd(next);
          if (isBlank(next, Math.min(le, limit)) || opensFence(next)) {
            return -1;
          }
          k++;
        } else {
          k++;
        }
      }
      return -1;
    }

    // ---------------------------------------------------------------- block pass

    private void addBlock(int start, int end, SpanType type) {
      blocks.add(new Span(start, end, type, true));
    }

    private void scanBlocks() {
      int i = 0;
      while (i < n) {
        if (i == 0 || t.charAt(i - 1) == '\n') {
          int end = lineBlock(i);
          if (end >= 0) {
            i = end;
            continue;
          }
        }
        char c = t.charAt(i);
        if (c == '`') {
          int r = runLength(i, '`');
          int end = codeSpanEnd(i + r, r, n);
          i = end >= 0 ? end : i + r;
          continue;
        }
        if (c == '<') {
          int end = tagBlock(i);
          if (end >= 0) {
            i = end;
            continue;
          }
        }
        if (c == '[' && on.contains(SpanType.ASYMPTOTE) && t.startsWith("[asy]", i)) {
          int close = t.indexOf("[/asy]", i + 5);
          if (close >= 0) {
            addBlock(i, close + 6, SpanType.ASYMPTOTE);
            i = close + 6;
            continue;
          }
        }
        i++;
      }
    }

    /** A block that starts at line start {@code ls}; returns its end, or -1 when none. */
    private int lineBlock(int ls) {
      int le = lineEnd(ls);
      int j = skipHorizontalSpace(ls, le);
      if (j >= le) {
        return -1;
      }
      char c = t.charAt(j);
      switch (c) {
        case '`', '~' -> {
          if (on.contains(SpanType.CODE_FENCE)) {
            int end = fence(ls, j, le, c);
            if (end >= 0) {
              addBlock(ls, end, SpanType.CODE_FENCE);
              return end;
            }
          }
        }
        case '$' -> {
          if (on.contains(SpanType.MATH_DISPLAY) && t.startsWith("$$", j)) {
            int close = findClosing("$$", j + 2, n, true, false);
            if (close >= 0 && isBlank(close + 2, lineEnd(close + 2))) {
              addBlock(ls, close + 2, SpanType.MATH_DISPLAY);
              return close + 2;
            }
          }
        }
        case '\\' -> {
          if (on.contains(SpanType.MATH_DISPLAY) && t.startsWith("\\[", j)) {
            int close = findClosing("\\]", j + 2, n, true, false);
            if (close >= 0 && isBlank(close + 2, lineEnd(close + 2))) {
              addBlock(ls, close + 2, SpanType.MATH_DISPLAY);
              return close + 2;
            }
          } else if (on.contains(SpanType.MATH_ENV) && t.startsWith("\\begin{", j)) {
            int end = environmentEnd(j, n);
            if (end >= 0 && isBlank(end, lineEnd(end))) {
              addBlock(ls, end, SpanType.MATH_ENV);
              return end;
            }
          }
        }
        case '#' -> {
          if (on.contains(SpanType.GSM8K_ANSWER) && isGsm8kAnswer(j, le)) {
            int end = trimEnd(j, le);
            addBlock(ls, end, SpanType.GSM8K_ANSWER);
            return end;
          }
        }
        default -> {}
      }
      if ((c == '|' || c == '-' || c == ':') && on.contains(SpanType.MD_TABLE)
          && isTableSeparator(ls, le)) {
        int end = trimEnd(ls, le);
        addBlock(ls, end, SpanType.MD_TABLE);
        return end;
      }
      if ((c == '-' || c == '*' || c == '_') && on.contains(SpanType.MD_RULE)
          && HORIZONTAL_RULE.matcher(t.substring(ls, trimEnd(ls, le))).matches()) {
        int end = trimEnd(ls, le);
        addBlock(ls, end, SpanType.MD_RULE);
        return end;
      }
      if ((c == '{' || c == '[') && on.contains(SpanType.JSON)) {
        int end = jsonEnd(j);
        if (end >= 0 && isBlank(end, lineEnd(end)) && parsesAsJsonContainer(t.substring(j, end))) {
          addBlock(ls, end, SpanType.JSON);
          return end;
        }
      }
      return -1;
    }

    /** The end of a fenced code block opened by the run at {@code j}, or -1 when not a fence. */
    private int fence(int ls, int j, int le, char c) {
      int len = runLength(j, c);
      if (len < 3) {
        return -1;
      }
      if (c == '`' && t.indexOf('`', j + len) >= 0 && t.indexOf('`', j + len) < le) {
        return -1; // a backtick in the info string: CommonMark says inline code, not a fence
      }
      int p = le;
      while (p < n) {
        int ls2 = p + 1;
        int le2 = lineEnd(ls2);
        int k = skipHorizontalSpace(ls2, le2);
        if (k < le2 && t.charAt(k) == c) {
          int r = runLength(k, c);
          if (r >= len && isBlank(k + r, le2)) {
            return trimEnd(k, le2);
          }
        }
        p = le2;
      }
      return n; // unclosed: the code runs to the end of the text
    }

    private boolean isGsm8kAnswer(int j, int le) {
      if (!t.startsWith("####", j) || j + 4 >= le || !isHorizontalSpace(t.charAt(j + 4))) {
        return false;
      }
      boolean digit = false;
      for (int k = j + 4; k < le; k++) {
        char c = t.charAt(k);
        if (Character.isLetter(c)) {
          return false;
        }
        digit |= Character.isDigit(c);
      }
      return digit;
    }

    private boolean isTableSeparator(int ls, int le) {
      int end = trimEnd(ls, le);
      int start = skipHorizontalSpace(ls, end);
      if (start >= end || t.indexOf('|', start) < 0 || t.indexOf('|', start) >= end) {
        return false;
      }
      return TABLE_SEPARATOR.matcher(t.substring(start, end)).matches();
    }

    /**
     * The end of the bracket-balanced JSON-looking value at {@code j} (strings respected), or -1;
     * a blank line ends the search so that a stray bracket costs one paragraph, not the text.
     */
    private int jsonEnd(int j) {
      int depth = 0;
      boolean inString = false;
      for (int k = j; k < n && k - j < MAX_JSON; k++) {
        char c = t.charAt(k);
        if (c == '\n' && k + 1 < n && isBlank(k + 1, lineEnd(k + 1))) {
          return -1;
        }
        if (inString) {
          if (c == '\\') {
            k++;
          } else if (c == '"') {
            inString = false;
          }
          continue;
        }
        if (c == '"') {
          inString = true;
        } else if (c == '{' || c == '[') {
          depth++;
        } else if (c == '}' || c == ']') {
          depth--;
          if (depth == 0) {
            return k + 1;
          }
        }
      }
      return -1;
    }

    private int tagBlock(int i) {
      if (t.startsWith("<think>", i)) {
        addBlock(i, i + 7, SpanType.THINK_TAG);
        return i + 7;
      }
      if (t.startsWith("</think>", i)) {
        addBlock(i, i + 8, SpanType.THINK_TAG);
        return i + 8;
      }
      if (!on.contains(SpanType.TOOL_CALL)) {
        return -1;
      }
      for (String tag : TOOL_TAGS) {
        String open = "<" + tag + ">";
        if (t.startsWith(open, i)) {
          String close = "</" + tag + ">";
          int c = t.indexOf(close, i + open.length());
          int end = c < 0 ? n : c + close.length();
          addBlock(i, end, SpanType.TOOL_CALL);
          return end;
        }
      }
      return -1;
    }

    // ---------------------------------------------------------------- inline pass

    private void scanInline(int a, int b) {
      List<Span> cand = new ArrayList<>();
      lineStarts(a, b, cand);
      for (int k = a; k < b; k++) {
        char c = t.charAt(k);
        switch (c) {
          case '`' -> {
            int r = runLength(k, '`');
            int end = codeSpanEnd(k + r, r, b);
            if (end >= 0 && on.contains(SpanType.INLINE_CODE)) {
              cand.add(new Span(k, end, SpanType.INLINE_CODE, false));
              k = end - 1;
            } else {
              k += Math.min(r, b - k) - 1;
            }
          }
          case '$' -> k = dollar(k, b, cand);
          case '\\' -> backslashMath(k, b, cand);
          case '<' -> angle(k, b, cand);
          case '{' -> k = added(InlineJsonSpans.end(t, k, b), k, SpanType.INLINE_JSON, cand);
          case Placeholders.OPEN -> {
            Matcher m = Placeholders.PATTERN.matcher(t).region(k, b);
            if (m.lookingAt()) {
              cand.add(new Span(k, m.end(), SpanType.PLACEHOLDER, false));
            }
          }
          case ':' -> url(k, a, b, cand);
          case 'w', 'W' -> www(k, b, cand);
          case '@' -> email(k, a, b, cand);
          case '[' -> link(k, a, b, cand);
          default -> {
            if (on.contains(SpanType.EMOJI) && EmojiSpans.mayStart(c)) {
              int emoji = k;
              k = added(EmojiSpans.end(t, k, b), k, SpanType.EMOJI, cand);
              if (k > emoji) {
                continue;
              }
            }
            if (scoreSymbols && c < 0x3000 && Character.isLetter(c)) {
              scoreOnlySymbols(k, b, cand);
            }
          }
        }
      }
      cand.sort(Comparator.comparingInt(Span::start)
          .thenComparing(Comparator.comparingInt(Span::end).reversed()));
      List<Span> accepted = new ArrayList<>();
      int last = a;
      for (Span s : cand) {
        if (s.start() >= last && s.end() > s.start()) {
          accepted.add(s);
          last = s.end();
        }
      }
      if (on.contains(SpanType.MD_EMPHASIS)) {
        emphasis(a, b, accepted);
        accepted.sort(Comparator.comparingInt(Span::start));
      }
      out.addAll(accepted);
    }

    /**
     * Adds an inline span {@code [k, end)} of {@code type} when that kind is on and {@code end} >
     * 0 (a family's finder found one); returns where the scan goes on (the span's last char, or k).
     */
    private int added(int end, int k, SpanType type, List<Span> cand) {
      if (end <= k || !on.contains(type)) {
        return k;
      }
      cand.add(new Span(k, end, type, false));
      return end - 1;
    }

    /** Markdown markers at the start of each line in {@code [a, b)}, and table pipes. */
    private void lineStarts(int a, int b, List<Span> cand) {
      int ls = a;
      boolean atLineStart = a == 0 || t.charAt(a - 1) == '\n';
      while (ls < b) {
        int le = Math.min(lineEnd(ls), b);
        if (atLineStart) {
          linePrefix(ls, le, cand);
        }
        if (on.contains(SpanType.MD_TABLE) && isTableRow(ls, le, atLineStart)) {
          tablePipes(ls, le, cand);
        }
        ls = le + 1;
        atLineStart = true;
      }
    }

    private void linePrefix(int ls, int le, List<Span> cand) {
      int k = skipHorizontalSpace(ls, le);
      int start = ls;
      if (k < le && t.charAt(k) == '>' && on.contains(SpanType.MD_BLOCKQUOTE)) {
        while (k < le && t.charAt(k) == '>') {
          k = skipHorizontalSpace(k + 1, le);
        }
        cand.add(new Span(ls, k, SpanType.MD_BLOCKQUOTE, false));
        start = k;
      }
      if (k >= le) {
        return;
      }
      char c = t.charAt(k);
      if (c == '#' && on.contains(SpanType.MD_HEADING)) {
        int r = runLength(k, '#');
        if (r <= 6 && (k + r >= le || isHorizontalSpace(t.charAt(k + r)))) {
          cand.add(new Span(start, skipHorizontalSpace(k + r, le), SpanType.MD_HEADING, false));
        }
        return;
      }
      if (!on.contains(SpanType.MD_LIST)) {
        return;
      }
      int end = -1;
      if ((c == '-' || c == '*' || c == '+') && k + 1 < le && isHorizontalSpace(t.charAt(k + 1))) {
        end = k + 1;
      } else if (c >= '0' && c <= '9') {
        int d = k;
        while (d < le && d - k < 9 && t.charAt(d) >= '0' && t.charAt(d) <= '9') {
          d++;
        }
        if (d + 1 < le && (t.charAt(d) == '.' || t.charAt(d) == ')')
            && isHorizontalSpace(t.charAt(d + 1))) {
          end = d + 1;
        }
      }
      if (end < 0) {
        return;
      }
      end = skipHorizontalSpace(end, le);
      // task-list box "[ ] " / "[x] " belongs to the bullet
      if (end + 3 <= le && t.charAt(end) == '[' && t.charAt(end + 2) == ']'
          && " xX".indexOf(t.charAt(end + 1)) >= 0
          && (end + 3 == le || isHorizontalSpace(t.charAt(end + 3)))) {
        end = skipHorizontalSpace(end + 3, le);
      }
      cand.add(new Span(start, end, SpanType.MD_LIST, false));
    }

    private boolean isTableRow(int ls, int le, boolean atLineStart) {
      int k = skipHorizontalSpace(ls, le);
      if (k >= le) {
        return false;
      }
      if (atLineStart && t.charAt(k) == '|') {
        return true;
      }
      if (t.indexOf('|', k) < 0 || t.indexOf('|', k) >= le) {
        return false;
      }
      // a row without a leading pipe: next to a separator row
      int lineStart = t.lastIndexOf('\n', ls - 1) + 1;
      int fullEnd = lineEnd(ls);
      if (lineStart > 0) {
        int prevStart = t.lastIndexOf('\n', lineStart - 2) + 1;
        if (isTableSeparator(prevStart, lineStart - 1)) {
          return true;
        }
      }
      return fullEnd < n && isTableSeparator(fullEnd + 1, lineEnd(fullEnd + 1));
    }

    private void tablePipes(int ls, int le, List<Span> cand) {
      int prevEnd = ls;
      for (int k = t.indexOf('|', ls); k >= 0 && k < le; k = t.indexOf('|', k + 1)) {
        if (escaped(k)) {
          continue;
        }
        int s = k;
        while (s > prevEnd && isHorizontalSpace(t.charAt(s - 1))) {
          s--;
        }
        int e = k + 1;
        int nextPipe = t.indexOf('|', e);
        int stop = nextPipe < 0 || nextPipe > le ? le : nextPipe;
        while (e < stop && isHorizontalSpace(t.charAt(e))) {
          e++;
        }
        cand.add(new Span(s, e, SpanType.MD_TABLE, false));
        prevEnd = e;
      }
    }

    /**
     * Math opened by the {@code $} at {@code k}; returns the index of the last character consumed
     * (so that a closing {@code $} is never read as the next opener, as in pandoc).
     */
    private int dollar(int k, int b, List<Span> cand) {
      if (escaped(k)) {
        return k;
      }
      if (k + 1 < b && t.charAt(k + 1) == '$') {
        if (on.contains(SpanType.MATH_DISPLAY)) {
          int close = findClosing("$$", k + 2, Math.min(b, k + MAX_INLINE), true, false);
          if (close > k + 2) {
            cand.add(new Span(k, close + 2, SpanType.MATH_DISPLAY, false));
            return close + 1;
          }
        }
        return k + 1;
      }
      if (!on.contains(SpanType.MATH_INLINE) || k + 1 >= b) {
        return k;
      }
      int limit = Math.min(b, k + MAX_INLINE);
      int close = nextSingleDollar(k + 1, limit);
      if (close < 0) {
        return k;
      }
      boolean newline = t.indexOf('\n', k) >= 0 && t.indexOf('\n', k) < close;
      boolean strict = !newline
          && !Character.isWhitespace(t.charAt(k + 1))
          && !Character.isWhitespace(t.charAt(close - 1))
          && !(close + 1 < n && Character.isDigit(t.charAt(close + 1)));
      boolean relaxed = latexDocument && close > k + 1 && !hasBlankLine(k, close)
          && looksLikeMath(k + 1, close);
      if ((strict && !(!latexDocument && isPrice(k, close))) || relaxed) {
        cand.add(new Span(k, close + 1, SpanType.MATH_INLINE, false));
        return close;
      }
      return k;
    }

    /**
     * Whether {@code $…$} at {@code [k, close]}, outside a LaTeX document, reads as amounts of
     * money rather than math: it starts with a calculator mark, or it starts with a digit, has no
     * TeX sign ({@code \ ^ _ { }}), and holds English words, ends in an operator or runs into a
     * calculator mark ("$85.00 on her card … $", "$12 x 5 =$&lt;&lt;12*5=60&gt;&gt;",
     * "$30-$&lt;&lt;…" in GSM8K). "$3x + 2y = 12.$", "$58_9 - 18_9.$", "$4x$" and "$9.$" stay
     * math.
     */
    private boolean isPrice(int k, int close) {
      if (t.startsWith("<<", k + 1)) {
        return true; // "$<<9*2=18>>18": a GSM8K amount
      }
      if (!Character.isDigit(t.charAt(k + 1))) {
        return false;
      }
      int letters = 0;
      boolean word = false;
      for (int i = k + 1; i < close; i++) {
        char c = t.charAt(i);
        if ("\\^_{}".indexOf(c) >= 0) {
          return false;
        }
        letters = isAsciiLetter(c) ? letters + 1 : 0;
        word |= letters >= 3;
      }
      return (word && hasWhitespace(k + 1, close))
          || "+-*/=\u00d7\u00f7".indexOf(t.charAt(close - 1)) >= 0
          || t.startsWith("<<", close + 1);
    }

    /** The next unescaped {@code $} in {@code [from, limit)}, or -1. */
    private int nextSingleDollar(int from, int limit) {
      for (int k = t.indexOf('$', from); k >= 0 && k < limit; k = t.indexOf('$', k + 1)) {
        if (!escaped(k)) {
          return k;
        }
      }
      return -1;
    }

    private boolean hasWhitespace(int a, int b) {
      for (int k = a; k < b; k++) {
        if (Character.isWhitespace(t.charAt(k))) {
          return true;
        }
      }
      return false;
    }

    private boolean looksLikeMath(int a, int b) {
      for (int k = a; k < b; k++) {
        if ("\\^_{}=+<>".indexOf(t.charAt(k)) >= 0) {
          return true;
        }
      }
      return false;
    }

    private void backslashMath(int k, int b, List<Span> cand) {
      if (k + 1 >= b || escaped(k)) {
        return;
      }
      char c = t.charAt(k + 1);
      int limit = Math.min(b, k + MAX_INLINE);
      if (c == '(' && on.contains(SpanType.MATH_INLINE)) {
        int close = findClosing("\\)", k + 2, limit, true, false);
        if (close >= 0) {
          cand.add(new Span(k, close + 2, SpanType.MATH_INLINE, false));
        }
      } else if (c == '[' && on.contains(SpanType.MATH_DISPLAY)) {
        int close = findClosing("\\]", k + 2, limit, true, false);
        if (close >= 0) {
          cand.add(new Span(k, close + 2, SpanType.MATH_DISPLAY, false));
        }
      } else if (c == 'b' && on.contains(SpanType.MATH_ENV) && t.startsWith("\\begin{", k)) {
        int end = environmentEnd(k, b);
        if (end >= 0) {
          cand.add(new Span(k, end, SpanType.MATH_ENV, false));
        }
      }
    }

    private void angle(int k, int b, List<Span> cand) {
      if (t.startsWith("<<", k) && on.contains(SpanType.CALC)) {
        int close = t.indexOf(">>", k + 2);
        int le = lineEnd(k);
        if (close > k + 2 && close + 2 <= b && close < le) {
          boolean equation = false;
          boolean clean = true;
          for (int i = k + 2; i < close; i++) {
            char c = t.charAt(i);
            equation |= c == '=';
            clean &= c != '<' && c != '>';
          }
          if (equation && clean) {
            cand.add(new Span(k, close + 2, SpanType.CALC, false));
          }
        }
        return;
      }
      if (on.contains(SpanType.HTML_ELEMENT)) {
        // The whole element; its own tags, found below too, lose to it as overlapping spans.
        int end = HtmlElementSpans.end(t, k, b);
        if (end > 0) {
          cand.add(new Span(k, end, SpanType.HTML_ELEMENT, false));
        }
      }
      if (!on.contains(SpanType.HTML_TAG)) {
        return;
      }
      if (t.startsWith("<!--", k)) {
        int close = t.indexOf("-->", k + 4);
        if (close >= 0 && close + 3 <= b && close - k < MAX_INLINE) {
          cand.add(new Span(k, close + 3, SpanType.HTML_TAG, false));
        }
        return;
      }
      int i = k + 1;
      if (i < b && t.charAt(i) == '/') {
        i++;
      }
      int nameStart = i;
      while (i < b
          && (isAsciiLetter(t.charAt(i)) || (i > nameStart && Character.isDigit(t.charAt(i))))) {
        i++;
      }
      if (i == nameStart
          || !HTML_TAGS.contains(t.substring(nameStart, i).toLowerCase(Locale.ROOT))) {
        return;
      }
      int le = Math.min(lineEnd(k), b);
      if (i < le && (t.charAt(i) == '>')) {
        cand.add(new Span(k, i + 1, SpanType.HTML_TAG, false));
        return;
      }
      if (i < le && (isHorizontalSpace(t.charAt(i)) || t.charAt(i) == '/')) {
        int close = t.indexOf('>', i);
        int open = t.indexOf('<', i);
        if (close >= 0 && close < le && (open < 0 || open > close)) {
          cand.add(new Span(k, close + 1, SpanType.HTML_TAG, false));
        }
      }
    }

    private static boolean isUrlChar(char c) {
      return c > ' ' && c < 127 && c != '<' && c != '>' && c != '"' && c != '`';
    }

    private void url(int k, int a, int b, List<Span> cand) {
      if (!on.contains(SpanType.URL) || !t.startsWith("://", k)) {
        return;
      }
      int s = k;
      while (s > a && isAsciiLetter(t.charAt(s - 1)) && k - s < 10) {
        s--;
      }
      if (s == k || (s > 0 && Character.isLetterOrDigit(t.charAt(s - 1)))
          || !URL_SCHEMES.contains(t.substring(s, k).toLowerCase(Locale.ROOT))) {
        return;
      }
      addUrl(s, k + 3, b, cand);
    }

    private void www(int k, int b, List<Span> cand) {
      if (!on.contains(SpanType.URL) || !t.regionMatches(true, k, "www.", 0, 4)
          || (k > 0 && (Character.isLetterOrDigit(t.charAt(k - 1)) || t.charAt(k - 1) == '.'
              || t.charAt(k - 1) == '/' || t.charAt(k - 1) == '@'))) {
        return;
      }
      addUrl(k, k + 4, b, cand);
    }

    private void addUrl(int s, int bodyStart, int b, List<Span> cand) {
      int e = bodyStart;
      while (e < b && isUrlChar(t.charAt(e))) {
        e++;
      }
      while (e > bodyStart) {
        char last = t.charAt(e - 1);
        if (".,;:!?'*_~".indexOf(last) >= 0) {
          e--;
        } else if ((last == ')' && unbalanced(s, e, '(', ')'))
            || (last == ']' && unbalanced(s, e, '[', ']'))
            || (last == '}' && unbalanced(s, e, '{', '}'))) {
          e--;
        } else {
          break;
        }
      }
      if (e > bodyStart && t.charAt(e - 1) != '.') {
        cand.add(new Span(s, e, SpanType.URL, false));
      }
    }

    private boolean unbalanced(int s, int e, char open, char close) {
      int depth = 0;
      for (int i = s; i < e; i++) {
        char c = t.charAt(i);
        if (c == open) {
          depth++;
        } else if (c == close) {
          depth--;
        }
      }
      return depth < 0;
    }

    private static boolean isLocalPartChar(char c) {
      return isAsciiLetter(c) || (c >= '0' && c <= '9') || "._%+-".indexOf(c) >= 0;
    }

    private void email(int k, int a, int b, List<Span> cand) {
      if (!on.contains(SpanType.EMAIL)) {
        return;
      }
      int s = k;
      while (s > a && isLocalPartChar(t.charAt(s - 1)) && k - s < 64) {
        s--;
      }
      while (s < k && t.charAt(s) == '.') {
        s++;
      }
      if (s == k) {
        return;
      }
      int e = k + 1;
      int lastDot = -1;
      while (e < b && e - k < 255) {
        char c = t.charAt(e);
        if (isAsciiLetter(c) || (c >= '0' && c <= '9') || c == '-') {
          e++;
        } else if (c == '.' && e + 1 < b && isAsciiLetter(t.charAt(e + 1))
            || c == '.' && e + 1 < b && Character.isDigit(t.charAt(e + 1))) {
          lastDot = e;
          e++;
        } else {
          break;
        }
      }
      if (lastDot < 0 || lastDot == k + 1) {
        return;
      }
      int tld = e - lastDot - 1;
      for (int i = lastDot + 1; i < e; i++) {
        if (!isAsciiLetter(t.charAt(i))) {
          return;
        }
      }
      if (tld < 2) {
        return;
      }
      if (s - 7 >= a && t.regionMatches(true, s - 7, "mailto:", 0, 7)) {
        s -= 7;
      }
      cand.add(new Span(s, e, SpanType.EMAIL, false));
    }

    private void link(int k, int a, int b, List<Span> cand) {
      if (!on.contains(SpanType.MD_LINK) || escaped(k)) {
        return;
      }
      int le = Math.min(lineEnd(k), b);
      int close = t.indexOf(']', k + 1);
      if (close < 0 || close >= le || close == k + 1 || close + 1 >= le
          || t.charAt(close + 1) != '(') {
        return;
      }
      int nested = t.indexOf('[', k + 1);
      if (nested >= 0 && nested < close) {
        return;
      }
      int depth = 1;
      int e = close + 2;
      while (e < le && depth > 0) {
        char c = t.charAt(e);
        if (c == '(') {
          depth++;
        } else if (c == ')') {
          depth--;
        } else if (Character.isWhitespace(c)) {
          break;
        }
        e++;
      }
      if (depth != 0 || e == close + 3) {
        return;
      }
      int s = k > a && t.charAt(k - 1) == '!' ? k - 1 : k;
      cand.add(new Span(s, k + 1, SpanType.MD_LINK, false));
      cand.add(new Span(close, e, SpanType.MD_LINK, false));
    }

    /** SCR-only: chemical formulas and lone Latin/Greek letters used as math symbols. */
    private void scoreOnlySymbols(int k, int b, List<Span> cand) {
      boolean chem = on.contains(SpanType.CHEM_FORMULA);
      boolean symbol = on.contains(SpanType.MATH_SYMBOL);
      if (k > 0 && Character.isLetterOrDigit(t.charAt(k - 1))) {
        return;
      }
      int e = k;
      while (e < b && Character.isLetter(t.charAt(e))) {
        e++;
      }
      if (chem) {
        int end = chemicalFormulaEnd(k, b);
        if (end > 0) {
          cand.add(new Span(k, end, SpanType.CHEM_FORMULA, false));
          return;
        }
      }
      if (symbol && e == k + 1 && isLatinOrGreek(t.charAt(k))) {
        cand.add(new Span(k, k + 1, SpanType.MATH_SYMBOL, false));
      }
    }

    private static boolean isLatinOrGreek(char c) {
      Character.UnicodeScript s = Character.UnicodeScript.of(c);
      return s == Character.UnicodeScript.LATIN || s == Character.UnicodeScript.GREEK;
    }

    private static boolean isFormulaDigit(char c) {
      return (c >= '0' && c <= '9') || (c >= '\u2080' && c <= '\u2089');
    }

    /**
     * The end of a chemical formula at {@code k} (element symbols with counts, e.g. H2O, NaCl,
     * C6H12O6, H₂SO₄), or -1. Without a digit it needs two or more elements and a two-letter
     * symbol (NaCl, HCl) so that "OK" or "NO" are not formulas.
     */
    private int chemicalFormulaEnd(int k, int b) {
      int i = k;
      int elements = 0;
      boolean digit = false;
      boolean twoLetter = false;
      while (i < b) {
        char c = t.charAt(i);
        if (c >= 'A' && c <= 'Z') {
          int j = i + 1;
          if (j < b && t.charAt(j) >= 'a' && t.charAt(j) <= 'z'
              && ELEMENTS.contains(t.substring(i, j + 1))) {
            j++;
            twoLetter = true;
          } else if (!ELEMENTS.contains(String.valueOf(c))) {
            return -1;
          }
          elements++;
          i = j;
        } else if (isFormulaDigit(c)) {
          if (elements == 0) {
            return -1;
          }
          digit = true;
          i++;
        } else {
          break;
        }
      }
      if (i < b && Character.isLetterOrDigit(t.charAt(i))) {
        return -1;
      }
      return elements > 0 && (digit || (elements >= 2 && twoLetter)) ? i : -1;
    }

    // ---------------------------------------------------------------- emphasis

    private record Run(int start, int len, char c, boolean canOpen, boolean canClose) {}

    /** Paired emphasis markers on each line of {@code [a, b)}, outside {@code accepted}. */
    private void emphasis(int a, int b, List<Span> accepted) {
      BitSet covered = new BitSet(b - a);
      for (Span s : accepted) {
        covered.set(s.start() - a, s.end() - a);
      }
      List<Span> found = new ArrayList<>();
      int ls = a;
      while (ls < b) {
        int le = Math.min(lineEnd(ls), b);
        List<Run> stack = new ArrayList<>();
        int k = ls;
        while (k < le) {
          char c = t.charAt(k);
          if ((c != '*' && c != '_' && c != '~') || covered.get(k - a) || escaped(k)) {
            k++;
            continue;
          }
          int len = 1;
          while (k + len < le && t.charAt(k + len) == c && !covered.get(k + len - a)) {
            len++;
          }
          Run run = delimiterRun(k, len, c);
          k += len;
          if (run == null) {
            continue;
          }
          if (run.canClose()) {
            int match = -1;
            for (int i = stack.size() - 1; i >= 0; i--) {
              Run o = stack.get(i);
              if (o.c() == c && o.len() == len) {
                match = i;
                break;
              }
            }
            if (match >= 0) {
              Run open = stack.get(match);
              found.add(new Span(open.start(), open.start() + len, SpanType.MD_EMPHASIS, false));
              found.add(new Span(run.start(), run.start() + len, SpanType.MD_EMPHASIS, false));
              stack.subList(match, stack.size()).clear();
              continue;
            }
          }
          if (run.canOpen()) {
            stack.add(run);
          }
        }
        ls = le + 1;
      }
      accepted.addAll(found);
    }

    private Run delimiterRun(int k, int len, char c) {
      if (len > 3 || (c == '~' && len != 2)) {
        return null;
      }
      int prev = k > 0 ? t.codePointBefore(k) : '\n';
      int next = k + len < n ? t.codePointAt(k + len) : '\n';
      if (Character.isLetterOrDigit(prev) && Character.isLetterOrDigit(next)) {
        return null; // inside a word: snake_case, 2*3
      }
      boolean prevSpace = Character.isWhitespace(prev);
      boolean nextSpace = Character.isWhitespace(next);
      boolean prevPunct = isPunctuation(prev);
      boolean nextPunct = isPunctuation(next);
      boolean left = !nextSpace && (!nextPunct || prevSpace || prevPunct);
      boolean right = !prevSpace && (!prevPunct || nextSpace || nextPunct);
      boolean canOpen = c == '_' ? left && (!right || prevPunct) : left;
      boolean canClose = c == '_' ? right && (!left || nextPunct) : right;
      if (!canOpen && !canClose) {
        return null;
      }
      return new Run(k, len, c, canOpen, canClose);
    }
  }
}
