package dev.tarjama.transforms.quality;

import dev.tarjama.transforms.domain.QualityMeasures.Measure;
import dev.tarjama.transforms.quality.NumberReadings.Num;
import dev.tarjama.transforms.score.TextMemo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code numbers}: every number of the source prose appears in the target, and no number appears
 * from nowhere. The value is the count of source numbers missing from the target plus twice the
 * count of target numbers not in the source (a number from nowhere is the stronger sign: a
 * changed number counts 3, a dropped one 1, so the default threshold of 1 tolerates one number a
 * translator left out and nothing else). Judged when either side has a number.
 *
 * <p>Numbers and their readings are {@link NumberReadings}' (digit systems, separators, scale
 * words, ranges); a source number matches a target number when they share a reading. Allowed:
 * a missing ordinal or decade ({@code 19th}, {@code 1950s}); a missing number the target writes
 * as an Arabic number word (ثلاثة, الثانية, مائة …); a missing list {@code 121,154} whose parts
 * the target has; an extra number the source writes attached to a name ({@code DVB-S2}), as an English number word ({@code three},
 * {@code hundred}) or a Roman numeral ({@code XLIX} → 49).
 */
public final class NumbersSignal implements QualitySignal {
  private static final long serialVersionUID = 1L;

  private static final Map<String, String> ENGLISH_WORDS = englishWords();
  static final String[][] ARABIC_WORDS = {
    {"1", "واحد", "احد", "أول", "اول", "أولى", "الاول", "الأول", "الأولى"},
    {"2", "اثن", "إثن", "ثاني", "ثانی", "الثاني", "ثنتين", "ثنائي"},
    {"3", "ثلاث", "ثالث"}, {"4", "أربع", "اربع", "رابع"}, {"5", "خمس", "خامس"},
    {"6", "ستة", "ست", "سادس"}, {"7", "سبع", "سابع"}, {"8", "ثمان", "ثامن"},
    {"9", "تسع", "تاسع"}, {"10", "عشر", "عاشر"}, {"100", "مائة", "مئة", "مائتين", "مئات"},
    {"1000", "ألف", "الف", "آلاف"}, {"1000000", "مليون", "ملايين"}};

  private static final List<String[]> NO_ROWS = List.of();

  /**
   * {@link #ARABIC_WORDS} by first letter: for each letter, each row (in order) with only its
   * words that start with that letter, so a target word is compared with the few that can match.
   */
  private static final Map<Character, List<String[]>> ARABIC_WORDS_BY_FIRST = byFirstLetter();

  private static Map<Character, List<String[]>> byFirstLetter() {
    Map<Character, List<String[]>> out = new HashMap<>();
    for (String[] row : ARABIC_WORDS) {
      Map<Character, List<String>> words = new java.util.LinkedHashMap<>();
      for (int k = 1; k < row.length; k++) {
        words.computeIfAbsent(row[k].charAt(0), x -> new ArrayList<>(List.of(row[0])))
            .add(row[k]);
      }
      words.forEach((first, w) ->
          out.computeIfAbsent(first, x -> new ArrayList<>()).add(w.toArray(String[]::new)));
    }
    return out;
  }

  @Override
  public SignalSpec spec() {
    return SignalSpec.NUMBERS;
  }

  /**
   * The source side of the measure: the source's numbers that a target must give ({@code
   * quantities}) and what may stand in the target without a quantity of its own ({@code
   * allowances}: values written in words, digits attached to a name, by how often). Every candidate
   * of a record has the same source, so each thread keeps its last two ({@link TextMemo}).
   */
  record SourceNumbers(List<Num> quantities, Map<String, Integer> allowances) {}

  private static final TextMemo<SourceNumbers> SOURCES =
      TextMemo.of(2, NumbersSignal::sourceNumbers);

  static SourceNumbers sourceNumbers(String source) {
    List<Num> quantities = new ArrayList<>();
    Map<String, Integer> allowances = sourceNumberWords(source);
    for (Num n : NumberReadings.of(source)) {
      if (n.attached()) {
        n.readings().forEach(r -> allowances.merge(r, 1, Integer::sum));
      } else {
        quantities.add(n);
      }
    }
    return new SourceNumbers(List.copyOf(quantities), Map.copyOf(allowances));
  }

  @Override
  public Measure measure(QualityInput in) {
    SourceNumbers numbers = SOURCES.get(in.source());
    List<Num> source = numbers.quantities();
    // A copy: matching the target uses the allowances up.
    Map<String, Integer> sourceWords = new HashMap<>(numbers.allowances());
    List<Num> target = new ArrayList<>(NumberReadings.of(in.target()));
    target.removeIf(t -> t.attached() && consume(sourceWords, t));
    if (source.isEmpty() && target.isEmpty()) {
      return Measure.notJudged("no numbers");
    }
    List<Num> unmatchedSource = new ArrayList<>();
    for (Num s : source) {
      Num match = null;
      for (Num t : target) {
        if (t.readings().stream().anyMatch(s.readings()::contains)) {
          match = t;
          break;
        }
      }
      if (match != null) {
        target.remove(match);
      } else {
        unmatchedSource.add(s);
      }
    }
    Map<String, Integer> arabicWords = arabicNumberWords(in.target());
    List<String> missing = new ArrayList<>();
    for (Num s : unmatchedSource) {
      if (s.ordinal() || consume(arabicWords, s) || consumeGroups(target, s)) {
        continue;
      }
      missing.add(s.readings().iterator().next());
    }
    List<String> extra = new ArrayList<>();
    for (Num t : target) {
      if (!consume(sourceWords, t)) {
        extra.add(t.readings().iterator().next());
      }
    }
    List<String> parts = new ArrayList<>();
    if (!missing.isEmpty()) {
      parts.add("missing " + String.join(" ", missing));
    }
    if (!extra.isEmpty()) {
      parts.add("extra " + String.join(" ", extra));
    }
    return new Measure(missing.size() + 2 * extra.size(), true, String.join("; ", parts));
  }

  private static boolean consume(Map<String, Integer> allowances, Num n) {
    for (String r : n.readings()) {
      Integer left = allowances.get(r);
      if (left != null && left > 0) {
        allowances.put(r, left - 1);
        return true;
      }
    }
    return false;
  }

  /** A source list like {@code 121,154} whose parts the target writes as separate numbers. */
  private static boolean consumeGroups(List<Num> target, Num s) {
    if (s.groups().isEmpty()) {
      return false;
    }
    List<Num> found = new ArrayList<>();
    for (String g : s.groups()) {
      Num hit = target.stream().filter(t -> !found.contains(t) && t.readings().contains(g))
          .findFirst().orElse(null);
      if (hit == null) {
        return false;
      }
      found.add(hit);
    }
    target.removeAll(found);
    return true;
  }

  /** Values the source writes in words: English number words and Roman numerals. */
  static Map<String, Integer> sourceNumberWords(String source) {
    Map<String, Integer> m = new HashMap<>();
    for (Prose.Word w : Prose.words(source)) {
      String v = ENGLISH_WORDS.get(w.text().toLowerCase(Locale.ROOT));
      if (v == null) {
        int roman = roman(w.text());
        v = roman > 0 ? Integer.toString(roman) : null;
      }
      if (v != null) {
        m.merge(v, 1, Integer::sum);
      }
    }
    return m;
  }

  /** Values the target writes as Arabic number words (prefixes و ب ل ال stripped). */
  static Map<String, Integer> arabicNumberWords(String target) {
    Map<String, Integer> m = new HashMap<>();
    for (Prose.Word w : Prose.words(target)) {
      String t = withoutHarakat(w.text());
      for (String prefix : PREFIXES) {
        if (t.startsWith(prefix) && t.length() > prefix.length() + 2) {
          t = t.substring(prefix.length());
          break;
        }
      }
      // Each row counts once for a word; a word may count for more than one row.
      List<String[]> rows =
          t.isEmpty() ? NO_ROWS : ARABIC_WORDS_BY_FIRST.getOrDefault(t.charAt(0), NO_ROWS);
      for (String[] row : rows) {
        for (int k = 1; k < row.length; k++) {
          if (t.startsWith(row[k]) && t.length() <= row[k].length() + 3) {
            m.merge(row[0], 1, Integer::sum);
            k = row.length;
          }
        }
      }
    }
    return m;
  }

  private static final String[] PREFIXES = {"وال", "بال", "لل", "ال", "و", "ب", "ل"};

  /** {@code word} without the harakat U+064B–U+0652 (tanween, short vowels, shadda, sukun). */
  static String withoutHarakat(String word) {
    StringBuilder b = null;
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      boolean haraka = c >= '\u064B' && c <= '\u0652';
      if (haraka && b == null) {
        b = new StringBuilder(word.length()).append(word, 0, i);
      } else if (!haraka && b != null) {
        b.append(c);
      }
    }
    return b == null ? word : b.toString();
  }

  private static final Pattern ROMAN =
      Pattern.compile("M{0,4}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})");

  /** A Roman numeral of two or more capitals (II … MMXXV), else 0. */
  static int roman(String w) {
    if (w.length() < 2 || !romanLetters(w) || !ROMAN.matcher(w).matches()) {
      return 0;
    }
    int total = 0;
    for (int i = 0; i < w.length(); i++) {
      int v = value(w.charAt(i));
      int next = i + 1 < w.length() ? value(w.charAt(i + 1)) : 0;
      total += v < next ? -v : v;
    }
    return total;
  }

  private static boolean romanLetters(String w) {
    for (int i = 0; i < w.length(); i++) {
      if (value(w.charAt(i)) == 0) {
        return false;
      }
    }
    return true;
  }

  private static int value(char c) {
    return switch (c) {
      case 'I' -> 1;
      case 'V' -> 5;
      case 'X' -> 10;
      case 'L' -> 50;
      case 'C' -> 100;
      case 'D' -> 500;
      case 'M' -> 1000;
      default -> 0;
    };
  }

  private static Map<String, String> englishWords() {
    String[] small = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
        "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
        "seventeen", "eighteen", "nineteen", "twenty"};
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < small.length; i++) {
      m.put(small[i], Integer.toString(i));
    }
    String[] tens = {"thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"};
    for (int i = 0; i < tens.length; i++) {
      m.put(tens[i], Integer.toString(30 + 10 * i));
    }
    String[][] more = {{"hundred", "100"}, {"thousand", "1000"}, {"million", "1000000"},
        {"first", "1"}, {"second", "2"}, {"third", "3"}, {"fourth", "4"}, {"fifth", "5"},
        {"half", "2"}, {"dozen", "12"}, {"once", "1"}, {"twice", "2"}, {"both", "2"}};
    for (String[] e : more) {
      m.put(e[0], e[1]);
    }
    return m;
  }
}
