package dev.tarjama.models.serve;

import dev.tarjama.models.local.Decoding;
import dev.tarjama.models.local.Translation;
import dev.tarjama.models.local.Translator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A small deterministic {@link Translator} for server tests: it writes each Latin letter as an
 * Arabic one, so a test knows the exact output a text must get (and sees at once when a prompt's
 * instruction was translated too). Tokens are whitespace-separated words.
 *
 * <p>Beam/greedy candidate i is the transliteration followed by i tatweels; sampled candidate i
 * picks among a letter's alternatives with {@code Random(seed, i, text)}, so the same seed gives
 * the same candidates. The length limit of the {@link Decoding} truncates the words (and says so:
 * {@link Translation#truncated()}). A source
 * containing {@code FAIL} makes the whole batch throw. Every call is recorded.
 */
final class LetterTranslator implements Translator {
  private static final String[][] LETTERS = {
    {"ا"}, {"ب"}, {"ك", "س"}, {"د", "ض"}, {"ي"}, {"ف"}, {"ج", "غ"}, {"ه", "ح"}, {"ي"}, {"ج"},
    {"ك", "ق"}, {"ل"}, {"م"}, {"ن"}, {"و"}, {"ب"}, {"ق"}, {"ر"}, {"س", "ص"}, {"ت", "ط"}, {"و"},
    {"ف"}, {"و"}, {"كس"}, {"ي"}, {"ز", "ظ"}
  };

  /** One translate call as the model saw it. */
  record Call(List<String> sources, Decoding decoding) {}

  private final long delayMillis;
  private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
  private final CountDownLatch entered = new CountDownLatch(1);
  private final CountDownLatch gate;

  LetterTranslator() {
    this(0);
  }

  /** A model that takes {@code delayMillis} per batch, like a real one, so requests pile up. */
  LetterTranslator(long delayMillis) {
    this(delayMillis, new CountDownLatch(0));
  }

  private LetterTranslator(long delayMillis, CountDownLatch gate) {
    this.delayMillis = delayMillis;
    this.gate = gate;
  }

  /**
   * A model whose calls wait until {@link #release()}: a test holds the first batch in the model
   * ({@link #awaitFirstCall()}) while it queues more requests behind it, with no timing.
   */
  static LetterTranslator gated() {
    return new LetterTranslator(0, new CountDownLatch(1));
  }

  void awaitFirstCall() throws InterruptedException {
    if (!entered.await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the model was not called within 10 s");
    }
  }

  void release() {
    gate.countDown();
  }

  /** The greedy translation of {@code text}. */
  static String transliterate(String text) {
    return write(text, null);
  }

  private static String write(String text, Random choices) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      char lower = Character.toLowerCase(c);
      if (lower >= 'a' && lower <= 'z') {
        String[] options = LETTERS[lower - 'a'];
        out.append(choices == null ? options[0] : options[choices.nextInt(options.length)]);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  static int words(String text) {
    String s = text.strip();
    return s.isEmpty() ? 0 : s.split("\\s+").length;
  }

  @Override
  public List<List<Translation>> translate(List<String> sources, Decoding decoding) {
    calls.add(new Call(List.copyOf(sources), decoding));
    entered.countDown();
    try {
      if (!gate.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never released the model");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    if (delayMillis > 0) {
      try {
        Thread.sleep(delayMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    List<List<Translation>> out = new ArrayList<>(sources.size());
    for (String source : sources) {
      if (source.contains("FAIL")) {
        throw new IllegalStateException("the letter model cannot translate FAIL");
      }
      int sourceTokens = words(source);
      int limit =
          (int)
              Math.min(
                  decoding.maxLength(),
                  (long) Math.ceil(decoding.maxLengthRatio() * sourceTokens)
                      + decoding.maxLengthSlack());
      List<Translation> candidates = new ArrayList<>(decoding.candidates());
      for (int i = 0; i < decoding.candidates(); i++) {
        String text =
            decoding.strategy() == Decoding.Strategy.SAMPLE
                ? write(source, new Random(decoding.seed() * 1_000_003L + i * 7_919L + source.hashCode()))
                : transliterate(source) + "ـ".repeat(i);
        String[] words = text.strip().isEmpty() ? new String[0] : text.strip().split("\\s+");
        if (words.length > limit) {
          text = String.join(" ", List.of(words).subList(0, limit));
        }
        candidates.add(
            new Translation(text, sourceTokens, Math.min(words.length, limit), words.length > limit));
      }
      out.add(candidates);
    }
    return out;
  }

  @Override
  public int countSourceTokens(String text) {
    return words(text);
  }

  @Override
  public String describe() {
    return "letter-translator (test)";
  }

  List<Call> calls() {
    synchronized (calls) {
      return List.copyOf(calls);
    }
  }

  @Override
  public void close() {}
}
