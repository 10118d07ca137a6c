package dev.tarjama.models.testing;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The translator answerer of {@link FakeOpenAiServer}: a prompt must start with the configured
 * prefix and end with the configured suffix (else the server answers 400, like a server whose
 * model would get a wrong instruction); the text between them is translated by {@link
 * #translate(String, int)}: every Latin letter becomes an Arabic letter from a fixed table, so
 * outputs are in Arabic script with a length ratio of 1; digits, punctuation, whitespace, line
 * breaks and ⟦n⟧ placeholders are kept. Choice {@code i} of a request with seed {@code s} (0 when
 * absent) is "variant" {@code s+i}: the table is rotated by the variant, so candidates differ, and
 * n-mode and seeded calls give the same candidate i. Chosen variants can mishandle their
 * placeholders ({@link PlaceholderFault}), for validation tests downstream.
 *
 * <p>The transliteration is a pure function, so tests compute expected outputs with {@link
 * #translate(String, int)} without a server.
 */
public final class TranslatorAnswers {
  public static final String HALA_PREFIX = "Translate from English to Arabic: ";
  public static final String SEED_X_PREFIX =
      "Translate the following English sentence into Arabic:\n";
  public static final String SEED_X_SUFFIX = " <ar>";

  /** 28 Arabic letters; Latin letter {@code c} of variant {@code v} is {@code ARABIC[(c-'a'+v) % 28]}. */
  private static final char[] ARABIC =
      "ابتثجحخدذرزسشصضطظعغفقكلمنهوي".toCharArray();

  /** How a variant mishandles placeholders. */
  public enum PlaceholderFault {
    /** ⟦n⟧ disappears. */
    DROP,
    /** ⟦n⟧ comes back with Arabic-Indic digits (⟦٠⟧), as a translator that "translates" it. */
    TRANSLATE
  }

  private String prefix = HALA_PREFIX;
  private String suffix = "";
  private final Map<Integer, PlaceholderFault> placeholderFaults = new HashMap<>();

  TranslatorAnswers() {}

  void prefix(String value) {
    prefix = Objects.requireNonNull(value);
  }

  void suffix(String value) {
    suffix = Objects.requireNonNull(value);
  }

  void placeholderFault(int variant, PlaceholderFault fault) {
    placeholderFaults.put(variant, fault);
  }

  /** The text between the instruction's prefix and suffix; null when the prompt lacks them. */
  String textOf(String prompt) {
    if (!prompt.startsWith(prefix)
        || !prompt.endsWith(suffix)
        || prompt.length() < prefix.length() + suffix.length()) {
      return null;
    }
    return prompt.substring(prefix.length(), prompt.length() - suffix.length());
  }

  /** Variant {@code variant}'s answer to {@code text}, placeholders mishandled as configured. */
  FakeOpenAiServer.Answer answer(String text, int variant) {
    return new FakeOpenAiServer.Answer(
        translate(text, variant, placeholderFaults.get(variant)), "stop");
  }

  /**
   * The deterministic "translation" of {@code text} as variant {@code variant}: Latin letters to
   * Arabic letters (table rotated by the variant), everything else, placeholders included, kept.
   */
  public static String translate(String text, int variant) {
    return translate(text, variant, null);
  }

  /** As {@link #translate(String, int)}, mishandling placeholders as {@code fault} says. */
  public static String translate(String text, int variant, PlaceholderFault fault) {
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '\u27E6') {
        int close = text.indexOf('\u27E7', i);
        String inner = close < 0 ? "" : text.substring(i + 1, close);
        if (close > i + 1 && inner.chars().allMatch(Character::isDigit)) {
          if (fault == null) {
            out.append(text, i, close + 1);
          } else if (fault == PlaceholderFault.TRANSLATE) {
            out.append('\u27E6');
            inner.chars().forEach(d -> out.append((char) ('\u0660' + (d - '0'))));
            out.append('\u27E7');
          }
          i = close + 1;
          continue;
        }
      }
      char lower = Character.toLowerCase(c);
      if (lower >= 'a' && lower <= 'z') {
        out.append(ARABIC[Math.floorMod(lower - 'a' + variant, ARABIC.length)]);
      } else {
        out.append(c);
      }
      i++;
    }
    return out.toString();
  }
}
