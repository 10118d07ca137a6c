package dev.tarjama.pipelines.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The corrupted-candidate set of the quality benchmark, from public human translations in the
 * data kit: XQuAD EN/AR (questions and paragraphs, CC BY-SA 4.0) and Tatoeba (CC-BY 2.0 FR).
 *
 * <p>Two disjoint splits: {@code dev} = XQuAD articles 0–23 and Tatoeba's even lines (the
 * thresholds were tuned on it), {@code test} = XQuAD articles 24–47 and Tatoeba's odd lines (the
 * reported figures). A split's sample is deterministic: pairs ordered by a hash of their id.
 *
 * <p>Each pair (English source, human Arabic reference) gets one candidate per {@link Kind}: the
 * reference itself or a corruption of it. A corruption that leaves the reference unchanged
 * (numbers in a text without digits) is marked {@code unchanged} and not counted.
 */
final class CorruptionSet {
  private static final ObjectMapper JSON = new ObjectMapper();

  enum Kind {
    REFERENCE("ref"),
    COPY("copy"),
    TRUNCATED("trunc"),
    TRUNCATED_LENGTH("trunclen"),
    LOOP("loop"),
    NUMBERS("numbers"),
    HALF_ENGLISH("halfen"),
    PERSIAN("persian"),
    ORTHOGRAPHY("ortho"),
    UNRELATED("unrelated");

    final String route;

    Kind(String route) {
      this.route = route;
    }

    boolean gateable() {
      return this != REFERENCE && this != UNRELATED;
    }
  }

  record Pair(String id, String source, String en, String ar) {}

  /** {@code text} is the answer; {@code finishReason} what the server says. */
  record Answer(String text, String finishReason, boolean unchanged) {}

  private static final String[] PERSIAN_PHRASES = {
    "این یک نمونه است", "به نظر من خیلی خوب است", "ما باید این کار را انجام دهیم",
    "چرا که نه", "من نمی‌دانم چه بگویم", "همه چیز درست می‌شود"};

  private CorruptionSet() {}

  /** The pairs of {@code split} ({@code dev} or {@code test}), at most {@code perSource} each. */
  static List<Pair> pairs(Path shared, String split, int xquadQuestions, int xquadParagraphs,
      int tatoeba) throws IOException {
    boolean test = split.equals("test");
    if (!test && !split.equals("dev")) {
      throw new IllegalArgumentException("split is dev or test, not " + split);
    }
    JsonNode en = JSON.readTree(shared.resolve("data/eval/xquad/xquad.en.json").toFile()).get("data");
    JsonNode ar = JSON.readTree(shared.resolve("data/eval/xquad/xquad.ar.json").toFile()).get("data");
    List<Pair> questions = new ArrayList<>();
    List<Pair> paragraphs = new ArrayList<>();
    for (int a = 0; a < en.size(); a++) {
      if ((a >= en.size() / 2) != test) {
        continue;
      }
      JsonNode pe = en.get(a).get("paragraphs");
      JsonNode pa = ar.get(a).get("paragraphs");
      for (int p = 0; p < pe.size(); p++) {
        String ce = pe.get(p).get("context").asText().strip();
        String ca = pa.get(p).get("context").asText().strip();
        if (plain(ce) && ce.length() <= 1400) {
          paragraphs.add(new Pair("xquad-p-" + a + "-" + p, "xquad_paragraph", ce, ca));
        }
        JsonNode qe = pe.get(p).get("qas");
        JsonNode qa = pa.get(p).get("qas");
        for (int q = 0; q < qe.size(); q++) {
          String e = qe.get(q).get("question").asText().strip();
          String r = qa.get(q).get("question").asText().strip();
          if (plain(e)) {
            questions.add(new Pair("xquad-q-" + a + "-" + p + "-" + q, "xquad_question", e, r));
          }
        }
      }
    }
    List<Pair> sentences = new ArrayList<>();
    List<String> lines = Files.readAllLines(
        shared.resolve("data/parallel/tatoeba_anki/ara.txt"), StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      if ((i % 2 == 1) != test) {
        continue;
      }
      String[] cols = lines.get(i).split("\t");
      if (cols.length >= 2 && plain(cols[0])) {
        sentences.add(new Pair("tatoeba-" + i, "tatoeba", cols[0].strip(), cols[1].strip()));
      }
    }
    List<Pair> out = new ArrayList<>();
    out.addAll(sample(questions, xquadQuestions));
    out.addAll(sample(paragraphs, xquadParagraphs));
    out.addAll(sample(sentences, tatoeba));
    return out;
  }

  /** No markup the pipeline would protect (the server maps a chunk back to its pair by text). */
  private static boolean plain(String en) {
    return !en.isBlank() && !en.matches("(?s).*([$<>*_#\\[\\]\\\\`|~{}]|https?:|www\\.|@).*")
        && !en.contains("\n");
  }

  private static List<Pair> sample(List<Pair> pairs, int n) {
    List<Pair> sorted = new ArrayList<>(pairs);
    sorted.sort(Comparator.comparingLong(p -> mix(p.id().hashCode())));
    return sorted.subList(0, Math.min(n, sorted.size()));
  }

  static long mix(long x) {
    x ^= x >>> 33;
    x *= 0xff51afd7ed558ccdL;
    x ^= x >>> 33;
    x *= 0xc4ceb9fe1a85ec53L;
    return x ^ (x >>> 33);
  }

  /** The answer of backend {@code kind} for {@code pair} ({@code all}: the pool, for unrelated). */
  static Answer answer(Kind kind, Pair pair, List<Pair> all) {
    String ref = pair.ar();
    String[] words = ref.split("\\s+");
    long h = mix(pair.id().hashCode() * 31L + kind.ordinal());
    return switch (kind) {
      case REFERENCE -> new Answer(ref, "stop", false);
      case COPY -> new Answer(pair.en(), "stop", false);
      case TRUNCATED, TRUNCATED_LENGTH -> {
        int keep = (int) Math.floor(words.length * 0.4);
        String cut = String.join(" ", java.util.Arrays.copyOf(words, Math.max(keep, 0)));
        yield new Answer(cut, kind == Kind.TRUNCATED ? "stop" : "length", keep < 1
            || cut.equals(ref));
      }
      case LOOP -> new Answer(loop(ref, words, h), "stop", false);
      case NUMBERS -> {
        String changed = changeNumbers(ref);
        yield new Answer(changed, "stop", changed.equals(ref));
      }
      case HALF_ENGLISH -> {
        String[] en = pair.en().split("\\s+");
        int half = words.length / 2;
        String mixed = String.join(" ", java.util.Arrays.copyOf(words, half)) + " "
            + String.join(" ", java.util.Arrays.copyOfRange(en, en.length / 2, en.length));
        yield new Answer(mixed.strip(), "stop", en.length < 2);
      }
      case PERSIAN -> {
        String persianLetters = ref.replace('ي', 'ی').replace('ك', 'ک');
        String phrase = PERSIAN_PHRASES[(int) Math.floorMod(h, PERSIAN_PHRASES.length)];
        int at = words.length / 2;
        List<String> out = new ArrayList<>(List.of(persianLetters.split("\\s+")));
        out.add(Math.min(at, out.size()), phrase);
        yield new Answer(String.join(" ", out), "stop", false);
      }
      case ORTHOGRAPHY -> {
        // Arabic words in Persian/Urdu spelling: Farsi yeh, keheh, heh goal.
        String o = ref.replace('ي', 'ی').replace('ى', 'ی').replace('ك', 'ک').replace('ة', 'ۀ');
        yield new Answer(o, "stop", o.equals(ref));
      }
      case UNRELATED -> new Answer(unrelated(pair, all), "stop", false);
    };
  }

  /** A loop as models make them: a syllable, a word or a phrase over and over. */
  private static String loop(String ref, String[] words, long h) {
    String last = words[words.length - 1].replaceAll("[\\p{P}]", "");
    if (last.isEmpty()) {
      last = words[0];
    }
    int style = (int) Math.floorMod(h, 3);
    int firstHalf = Math.max(1, words.length / 2);
    String head = String.join(" ", java.util.Arrays.copyOf(words, firstHalf));
    return switch (style) {
      case 0 -> {
        String syllable = last.substring(0, Math.min(2, last.length()));
        yield head + " " + syllable.repeat(12);
      }
      case 1 -> head + (" " + last).repeat(10);
      default -> {
        int from = Math.max(0, firstHalf - 3);
        String phrase = String.join(" ", java.util.Arrays.copyOfRange(words, from, firstHalf));
        yield head + (" " + phrase).repeat(6);
      }
    };
  }

  private static final Pattern DIGITS = Pattern.compile("[0-9\u0660-\u0669\u06F0-\u06F9]+");

  /** Every digit run replaced by another number of the same length (1999 → 2010 …). */
  static String changeNumbers(String text) {
    Matcher m = DIGITS.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      StringBuilder changed = new StringBuilder();
      for (char c : m.group().toCharArray()) {
        char zero = c >= '\u06F0' ? '\u06F0' : c >= '\u0660' ? '\u0660' : '0';
        changed.append((char) (zero + (c - zero + 3) % 10));
      }
      m.appendReplacement(out, Matcher.quoteReplacement(changed.toString()));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The reference of the pair from the same source whose English length is closest. */
  private static String unrelated(Pair pair, List<Pair> all) {
    Pair best = null;
    for (Pair p : all) {
      if (p == pair || !p.source().equals(pair.source()) || p.ar().equals(pair.ar())) {
        continue;
      }
      if (best == null || Math.abs(p.ar().length() - pair.ar().length())
          < Math.abs(best.ar().length() - pair.ar().length())) {
        best = p;
      }
    }
    return best == null ? pair.ar() : best.ar();
  }

  /** English text → its pair, as the server receives it. */
  static Map<String, Pair> byEnglish(List<Pair> pairs) {
    Map<String, Pair> m = new LinkedHashMap<>();
    for (Pair p : pairs) {
      m.putIfAbsent(p.en(), p);
    }
    return m;
  }
}
