package dev.tarjama.transforms.quality;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the policy knows about a signal without running it: its name (the reason), whether a
 * value fails above ({@code max}) or below ({@code min}) its threshold, the default threshold,
 * and whether it is a gate by default. {@link #KNOWN} is the registry the policy spec is checked
 * against.
 */
public record SignalSpec(String name, boolean failsAbove, double defaultThreshold, String doc)
    implements Serializable {
  public SignalSpec {
    Objects.requireNonNull(name);
    Objects.requireNonNull(doc);
  }

  /** The policy key of the threshold: {@code numbers-max}, {@code language-min}. */
  public String thresholdKey() {
    return name + (failsAbove ? "-max" : "-min");
  }

  /** Whether {@code value} fails under {@code threshold}. */
  public boolean fails(double value, double threshold) {
    return failsAbove ? value > threshold : value < threshold;
  }

  public static final SignalSpec REPETITION = new SignalSpec("repetition", true, 3,
      "back-to-back repeats of one unit in the target beyond the source's own");
  public static final SignalSpec COMPRESSION = new SignalSpec("compression", true, 1.8,
      "how much better the target compresses than the source (deflate ratio)");
  public static final SignalSpec UNTRANSLATED = new SignalSpec("untranslated", true, 0.2,
      "share of the source's translatable words copied into the target");
  public static final SignalSpec UNTRANSLATED_RUN = new SignalSpec("untranslated_run", true, 5,
      "longest run of copied source words in the target");
  public static final SignalSpec NUMBERS = new SignalSpec("numbers", true, 1,
      "source numbers missing from the target + 2 × target numbers from nowhere");
  public static final SignalSpec FOREIGN_LETTERS = new SignalSpec("foreign_letters", true, 0,
      "letters of the target script that the target language does not use");
  public static final SignalSpec LANGUAGE = new SignalSpec("language", true, 0.5,
      "fastText's probability of a language other than the target's");
  public static final SignalSpec QUESTION = new SignalSpec("question", true, 0,
      "question marks of the source missing from the target");
  public static final SignalSpec LINES = new SignalSpec("lines", true, 0,
      "difference in non-empty line counts");
  public static final SignalSpec EMOJI = new SignalSpec("emoji", true, 0,
      "emoji of the source missing from the target");
  public static final SignalSpec TOO_SHORT = new SignalSpec("too_short", false, 0.4,
      "target length ÷ expected length (r / r0)");
  public static final SignalSpec UNFINISHED = new SignalSpec("unfinished", true, 0,
      "the source's prose ends a sentence and the target's stops mid-sentence");

  /** Every signal the policy accepts, by name. */
  public static final Map<String, SignalSpec> KNOWN = registry(REPETITION, COMPRESSION,
      UNTRANSLATED, UNTRANSLATED_RUN, NUMBERS, FOREIGN_LETTERS, LANGUAGE, QUESTION, LINES, EMOJI,
      TOO_SHORT, UNFINISHED);

  private static Map<String, SignalSpec> registry(SignalSpec... specs) {
    Map<String, SignalSpec> m = new LinkedHashMap<>();
    for (SignalSpec s : specs) {
      m.put(s.name(), s);
    }
    return java.util.Collections.unmodifiableMap(m);
  }
}
