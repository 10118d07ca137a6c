package dev.tarjama.transforms.segment;

import dev.tarjama.transforms.segment.ProtectedSpans.Span;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Links: URLs with a known scheme, {@code www.} addresses, e-mail addresses, markdown links. */
final class LinkSpans extends SpanScanner {
  static final Set<String> URL_SCHEMES =
      Set.of("http", "https", "ftp", "ftps", "sftp", "file", "ws", "wss", "s3", "gs", "git",
          "ssh", "hdfs");

  LinkSpans(SpanScanner run) {
    super(run);
  }

  void url(int k, int a, int b, List<Span> cand) {
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

  void www(int k, int b, List<Span> cand) {
    if (!on.contains(SpanType.URL) || !t.regionMatches(true, k, "www.", 0, 4)
        || (k > 0 && (Character.isLetterOrDigit(t.charAt(k - 1)) || t.charAt(k - 1) == '.'
            || t.charAt(k - 1) == '/' || t.charAt(k - 1) == '@'))) {
      return;
    }
    addUrl(k, k + 4, b, cand);
  }

  void addUrl(int s, int bodyStart, int b, List<Span> cand) {
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

  boolean unbalanced(int s, int e, char open, char close) {
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

  static boolean isUrlChar(char c) {
    return c > ' ' && c < 127 && c != '<' && c != '>' && c != '"' && c != '`';
  }

  void email(int k, int a, int b, List<Span> cand) {
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

  static boolean isLocalPartChar(char c) {
    return isAsciiLetter(c) || (c >= '0' && c <= '9') || "._%+-".indexOf(c) >= 0;
  }

  void link(int k, int a, int b, List<Span> cand) {
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
}
