package dev.tarjama.transforms.quality;

import dev.tarjama.transforms.score.TextMemo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Small text helpers shared by the signals (code points, not chars). */
final class Prose {
  private Prose() {}

  /** Letters ({@link Character#isLetter}) in {@code text}. */
  static int letters(String text) {
    return (int) text.codePoints().filter(Character::isLetter).count();
  }

  /** Latin letters in {@code text}. */
  static int latinLetters(String text) {
    return (int) text.codePoints().filter(Prose::isLatinLetter).count();
  }

  static boolean isLatinLetter(int cp) {
    return Character.isLetter(cp)
        && Character.UnicodeScript.of(cp) == Character.UnicodeScript.LATIN;
  }

  /** Lines that hold something other than whitespace. */
  static int nonEmptyLines(String text) {
    int n = 0;
    for (String line : text.split("\n", -1)) {
      if (!line.isBlank()) {
        n++;
      }
    }
    return n;
  }

  /** A word token and where it stands. */
  record Word(String text, int start, boolean sentenceStart) {}

  /**
   * Words: maximal runs of letters, digits, combining marks, apostrophes and hyphens inside a
   * word; {@code sentenceStart} when only spaces, quotes or brackets stand between the word and
   * the text's start, a line break or a sentence end ({@code . ! ? : ؟}).
   */
  static List<Word> words(String text) {
    return WORDS.get(text);
  }

  // The copied-words and numbers signals both read the words of the same source and target,
  // one after the other on one thread: the last two texts' words are kept.
  private static final TextMemo<List<Word>> WORDS =
      TextMemo.of(2, text -> Collections.unmodifiableList(split(text)));

  private static List<Word> split(String text) {
    List<Word> out = new ArrayList<>();
    boolean atStart = true;
    int i = 0;
    while (i < text.length()) {
      int cp = text.codePointAt(i);
      if (isWordChar(cp)) {
        int start = i;
        while (i < text.length()) {
          int c = text.codePointAt(i);
          boolean inner = (c == '\'' || c == '’' || c == '-') && i + 1 < text.length()
              && isWordChar(text.codePointAt(i + 1)) && i > start;
          if (!isWordChar(c) && !inner) {
            break;
          }
          i += Character.charCount(c);
        }
        out.add(new Word(text.substring(start, i), start, atStart));
        atStart = false;
      } else {
        if (cp == '.' || cp == '!' || cp == '?' || cp == '\n' || cp == ':' || cp == '؟') {
          atStart = true;
        }
        i += Character.charCount(cp);
      }
    }
    return out;
  }

  static boolean isWordChar(int cp) {
    return Character.isLetterOrDigit(cp) || Character.getType(cp) == Character.NON_SPACING_MARK
        || cp == '_';
  }

  /** Whether the word is written in Latin letters only (digits, apostrophes allowed). */
  static boolean isLatinWord(String w) {
    boolean letter = false;
    for (int i = 0; i < w.length(); ) {
      int cp = w.codePointAt(i);
      if (Character.isLetter(cp)) {
        if (!isLatinLetter(cp)) {
          return false;
        }
        letter = true;
      }
      i += Character.charCount(cp);
    }
    return letter;
  }
}
