package dev.tarjama.transforms.segment;

import dev.tarjama.transforms.segment.ProtectedSpans.Span;
import java.util.List;
import java.util.Set;

/**
 * Math and formulas: inline and display {@code $…$}, {@code \(…\)}, {@code \[…\]}, LaTeX
 * environments (with pandoc's rules and the price exceptions of {@link ProtectedSpans}), and the
 * score-only math symbols and chemical formulas.
 */
final class MathSpans extends SpanScanner {
  static final Set<String> ELEMENTS =
      Set.of("H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne", "Na", "Mg", "Al", "Si", "P",
          "S", "Cl", "Ar", "K", "Ca", "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn",
          "Ga", "Ge", "As", "Se", "Br", "Kr", "Rb", "Sr", "Y", "Zr", "Nb", "Mo", "Tc", "Ru", "Rh",
          "Pd", "Ag", "Cd", "In", "Sn", "Sb", "Te", "I", "Xe", "Cs", "Ba", "La", "Ce", "Pr", "Nd",
          "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Hf", "Ta", "W", "Re",
          "Os", "Ir", "Pt", "Au", "Hg", "Tl", "Pb", "Bi", "Po", "At", "Rn", "Fr", "Ra", "Ac", "Th",
          "Pa", "U", "Np", "Pu", "Am", "Cm", "Bk", "Cf", "Es", "Fm", "Md", "No", "Lr", "Rf", "Db",
          "Sg", "Bh", "Hs", "Mt", "Ds", "Rg", "Cn", "Nh", "Fl", "Mc", "Lv", "Ts", "Og");

  private final boolean latexDocument;

  MathSpans(SpanScanner run) {
    super(run);
    this.latexDocument = usesLatexCommands(t);
  }

  /** A LaTeX document: it uses a {@code \\command} or a closed {@code $$…$$} somewhere. */
  static boolean usesLatexCommands(String s) {
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

  /** The end of {@code \begin{name}…\end{name}} opened at {@code i}, or -1. */
  int environmentEnd(int i, int limit) {
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

  /**
   * Math opened by the {@code $} at {@code k}; returns the index of the last character consumed
   * (so that a closing {@code $} is never read as the next opener, as in pandoc).
   */
  int dollar(int k, int b, List<Span> cand) {
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
  boolean isPrice(int k, int close) {
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
  int nextSingleDollar(int from, int limit) {
    for (int k = t.indexOf('$', from); k >= 0 && k < limit; k = t.indexOf('$', k + 1)) {
      if (!escaped(k)) {
        return k;
      }
    }
    return -1;
  }

  boolean hasWhitespace(int a, int b) {
    for (int k = a; k < b; k++) {
      if (Character.isWhitespace(t.charAt(k))) {
        return true;
      }
    }
    return false;
  }

  boolean looksLikeMath(int a, int b) {
    for (int k = a; k < b; k++) {
      if ("\\^_{}=+<>".indexOf(t.charAt(k)) >= 0) {
        return true;
      }
    }
    return false;
  }

  void backslashMath(int k, int b, List<Span> cand) {
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

  /** SCR-only: chemical formulas and lone Latin/Greek letters used as math symbols. */
  void scoreOnlySymbols(int k, int b, List<Span> cand) {
    boolean chem = on.contains(SpanType.CHEM_FORMULA);
    boolean symbol = on.contains(SpanType.MATH_SYMBOL);
    if (k > 0 && Character.isLetterOrDigit(t.charAt(k - 1))) {
      return;
    }
    // A lone letter: the letter run at k is one long (the next char, if any, is no letter).
    boolean lone = k < b && Character.isLetter(t.charAt(k))
        && (k + 1 >= b || !Character.isLetter(t.charAt(k + 1)));
    if (chem) {
      int end = chemicalFormulaEnd(k, b);
      if (end > 0) {
        cand.add(new Span(k, end, SpanType.CHEM_FORMULA, false));
        return;
      }
    }
    if (symbol && lone && isLatinOrGreek(t.charAt(k))) {
      cand.add(new Span(k, k + 1, SpanType.MATH_SYMBOL, false));
    }
  }

  static boolean isLatinOrGreek(char c) {
    Character.UnicodeScript s = Character.UnicodeScript.of(c);
    return s == Character.UnicodeScript.LATIN || s == Character.UnicodeScript.GREEK;
  }

  static boolean isFormulaDigit(char c) {
    return (c >= '0' && c <= '9') || (c >= '\u2080' && c <= '\u2089');
  }

  /**
   * The end of a chemical formula at {@code k} (element symbols with counts, e.g. H2O, NaCl,
   * C6H12O6, H₂SO₄), or -1. Without a digit it needs two or more elements and a two-letter
   * symbol (NaCl, HCl) so that "OK" or "NO" are not formulas.
   */
  int chemicalFormulaEnd(int k, int b) {
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
}
