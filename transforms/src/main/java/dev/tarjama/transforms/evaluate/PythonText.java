package dev.tarjama.transforms.evaluate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The few Python string operations sacreBLEU's metrics are defined by, on code points: {@code
 * str.split()} with no argument (splits on Python's whitespace, which is not Java's: Python counts
 * no-break spaces, Java's {@link Character#isWhitespace} does not), {@code str.rstrip()}, {@code
 * str.lower()}. Character n-grams count code points, as Python does, so an Arabic letter or an
 * emoji is one character, never a UTF-16 half.
 */
final class PythonText {
  private PythonText() {}

  /** Python's {@code str.isspace()} for one code point. */
  static boolean isSpace(int cp) {
    return (cp >= 0x09 && cp <= 0x0D)
        || (cp >= 0x1C && cp <= 0x20)
        || cp == 0x85
        || cp == 0xA0
        || cp == 0x1680
        || (cp >= 0x2000 && cp <= 0x200A)
        || cp == 0x2028
        || cp == 0x2029
        || cp == 0x202F
        || cp == 0x205F
        || cp == 0x3000;
  }

  /** {@code s.split()}: the runs of non-whitespace, in order. */
  static List<String> split(String s) {
    List<String> words = new ArrayList<>();
    int start = -1;
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      if (isSpace(cp)) {
        if (start >= 0) {
          words.add(s.substring(start, i));
          start = -1;
        }
      } else if (start < 0) {
        start = i;
      }
      i += Character.charCount(cp);
    }
    if (start >= 0) {
      words.add(s.substring(start));
    }
    return words;
  }

  /** {@code s.rstrip()}. */
  static String rstrip(String s) {
    int end = s.length();
    while (end > 0) {
      int cp = s.codePointBefore(end);
      if (!isSpace(cp)) {
        break;
      }
      end -= Character.charCount(cp);
    }
    return s.substring(0, end);
  }

  /** {@code s.lower()}. */
  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  /** {@code ''.join(s.split())}: the code points of {@code s} without whitespace. */
  static int[] codePointsWithoutSpace(String s) {
    return s.codePoints().filter(cp -> !isSpace(cp)).toArray();
  }
}
