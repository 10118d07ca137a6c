package dev.tarjama.transforms.quality;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Source words copied verbatim into the target, beyond names and identifiers — what {@link
 * UntranslatedSignal} and {@link UntranslatedRunSignal} measure.
 *
 * <p>A source word is <em>translatable</em> when it is Latin letters only (an apostrophe allowed),
 * at least two letters long, and not a name or identifier: not capitalized mid-sentence anywhere
 * in the source (a sentence-initial capitalized word is a name only if it also appears capitalized
 * mid-sentence), not all capitals (acronyms), no digit, underscore or inner capital ({@code
 * camelCase}, {@code get_weather}). "I" and its contractions are translatable. A target word is
 * <em>copied</em> when its lower-case form is one of the source's translatable words, unless it is
 * capitalized mid-sentence in the target while the source never writes it in lower case (a name
 * the source happens to start a sentence with).
 */
final class CopiedWords {
  /** Translatable source words (lower case, with repeats) and how many there are. */
  final int translatable;
  /** Copied words in the target. */
  final int copied;
  /** The longest run of copied target words, with only names between them. */
  final int longestRun;
  final String example;

  private CopiedWords(int translatable, int copied, int longestRun, String example) {
    this.translatable = translatable;
    this.copied = copied;
    this.longestRun = longestRun;
    this.example = example;
  }

  /**
   * The copied words of a candidate. Two signals read them ({@code untranslated} and {@code
   * untranslated_run}) one after the other on the same input, so each thread keeps its last
   * result.
   */
  static CopiedWords of(QualityInput in) {
    Last last = LAST.get();
    if (last != null && last.input == in) {
      return last.words;
    }
    CopiedWords words = of(in.source(), in.target());
    LAST.set(new Last(in, words));
    return words;
  }

  private record Last(QualityInput input, CopiedWords words) {}

  private static final ThreadLocal<Last> LAST = new ThreadLocal<>();

  static CopiedWords of(String source, String target) {
    List<Prose.Word> sourceWords = Prose.words(source);
    Set<String> names = new HashSet<>();
    Set<String> lowercaseInSource = new HashSet<>();
    Set<String> vocabulary = new HashSet<>();
    String[] sourceLower = new String[sourceWords.size()];
    for (int i = 0; i < sourceLower.length; i++) {
      Prose.Word w = sourceWords.get(i);
      sourceLower[i] = w.text().toLowerCase(Locale.ROOT);
      if (!isCapitalized(w.text())) {
        lowercaseInSource.add(sourceLower[i]);
      } else if (!w.sentenceStart() && !isPronounI(w.text())) {
        names.add(sourceLower[i]);
      }
    }
    int translatable = 0;
    for (int i = 0; i < sourceLower.length; i++) {
      if (isTranslatable(sourceWords.get(i).text()) && !names.contains(sourceLower[i])) {
        vocabulary.add(sourceLower[i]);
        translatable++;
      }
    }
    int copied = 0;
    int run = 0;
    int longest = 0;
    int runStart = -1;
    int bestStart = -1;
    int bestEnd = -1;
    for (Prose.Word w : Prose.words(target)) {
      String lower = w.text().toLowerCase(Locale.ROOT);
      // Kept capitalized in Arabic prose, a word the source only capitalizes at a sentence start
      // ("Tom went …") is a name too.
      boolean keptAsName = isCapitalized(w.text()) && !isPronounI(w.text())
          && !lowercaseInSource.contains(lower) && !w.sentenceStart();
      if (vocabulary.contains(lower) && !keptAsName) {
        copied++;
        if (run == 0) {
          runStart = w.start();
        }
        run++;
        if (run > longest) {
          longest = run;
          bestStart = runStart;
          bestEnd = w.start() + w.text().length();
        }
      } else if (!(Prose.isLatinWord(w.text()) && names.contains(lower))) {
        run = 0;
      }
    }
    String example = bestStart < 0 ? "" : RepetitionSignal.abbreviate(
        target.substring(bestStart, bestEnd).replaceAll("\\s+", " "));
    return new CopiedWords(translatable, copied, longest, example);
  }

  static boolean isTranslatable(String w) {
    if (isPronounI(w)) {
      return true;
    }
    if (!Prose.isLatinWord(w)) {
      return false;
    }
    int letters = 0;
    for (int i = 0; i < w.length(); i++) {
      char c = w.charAt(i);
      if (Character.isDigit(c) || c == '_') {
        return false;
      }
      if (Character.isLetter(c)) {
        letters++;
        if (i > 0 && Character.isUpperCase(c)) {
          return false; // camelCase, ALLCAPS
        }
      }
    }
    return letters >= 2;
  }

  private static boolean isCapitalized(String w) {
    return Character.isUpperCase(w.charAt(0));
  }

  private static boolean isPronounI(String w) {
    return w.equals("I") || w.startsWith("I'") || w.startsWith("I’");
  }
}
