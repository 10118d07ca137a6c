package dev.tarjama.transforms.inference;

import dev.tarjama.models.onnx.ExecutionProvider;
import dev.tarjama.models.local.Decoding;
import dev.tarjama.models.local.Translation;
import dev.tarjama.models.local.Translator;
import dev.tarjama.transforms.translate.TranslatorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deterministic stand-in for a local MT model: Latin letters become Arabic letters (candidate i
 * shifts the alphabet by i, so candidates differ), everything else stays. Tokens are words + 1
 * (the end of sequence). It refuses what a sentence-level model must never be shown (a
 * placeholder or a line break) and throws on any source that contains its poison word, the way a
 * model throws on an input it cannot take. Each translate call is recorded, per instance name.
 */
public final class LetterMapTranslator implements Translator {
  private static final String ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنه";

  /** Per name: how many times it was loaded (opened) and closed, and its translate batches. */
  public static final Map<String, AtomicInteger> LOADS = new ConcurrentHashMap<>();

  public static final Map<String, AtomicInteger> CLOSES = new ConcurrentHashMap<>();
  public static final Map<String, Queue<List<String>>> BATCHES = new ConcurrentHashMap<>();

  private final String name;
  private final String poison;

  public LetterMapTranslator(String name, String poison) {
    this.name = name;
    this.poison = poison;
    LOADS.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
  }

  /** What candidate {@code candidate} of {@code text} is. */
  public static String map(String text, int candidate) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      char lower = Character.toLowerCase(c);
      if (lower >= 'a' && lower <= 'z') {
        out.append(ARABIC.charAt((lower - 'a' + candidate) % ARABIC.length()));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  public static int words(String text) {
    String s = text.strip();
    return s.isEmpty() ? 0 : s.split("\\s+").length;
  }

  public static int loads(String name) {
    AtomicInteger n = LOADS.get(name);
    return n == null ? 0 : n.get();
  }

  public static int closes(String name) {
    AtomicInteger n = CLOSES.get(name);
    return n == null ? 0 : n.get();
  }

  public static List<List<String>> batches(String name) {
    Queue<List<String>> q = BATCHES.get(name);
    return q == null ? List.of() : new ArrayList<>(q);
  }

  @Override
  public List<List<Translation>> translate(List<String> sources, Decoding decoding) {
    BATCHES.computeIfAbsent(name, n -> new ConcurrentLinkedQueue<>()).add(List.copyOf(sources));
    List<List<Translation>> out = new ArrayList<>(sources.size());
    for (String source : sources) {
      if (source.indexOf('\u27E6') >= 0 || source.indexOf('\u27E7') >= 0
          || source.indexOf('\n') >= 0) {
        throw new IllegalStateException("a placeholder or line break reached the model: " + source);
      }
      if (!poison.isEmpty() && source.contains(poison)) {
        throw new IllegalArgumentException("cannot translate '" + poison + "'");
      }
      List<Translation> candidates = new ArrayList<>(decoding.candidates());
      for (int i = 0; i < decoding.candidates(); i++) {
        String text = map(source, i);
        candidates.add(new Translation(text, words(source) + 1, words(text) + 1));
      }
      out.add(candidates);
    }
    return out;
  }

  @Override
  public int countSourceTokens(String text) {
    return words(text) + 1;
  }

  @Override
  public String describe() {
    return "letter map " + name;
  }

  @Override
  public void close() {
    CLOSES.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
  }

  /** Opens a letter map named by the "model directory", with a poison word. */
  public static final class Factory implements TranslatorFactory {
    private static final long serialVersionUID = 1L;
    private final String poison;

    public Factory(String poison) {
      this.poison = poison;
    }

    @Override
    public Translator open(String modelDir, ExecutionProvider provider) {
      return new LetterMapTranslator(modelDir, poison);
    }
  }
}
