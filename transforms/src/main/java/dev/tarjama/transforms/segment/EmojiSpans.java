package dev.tarjama.transforms.segment;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UProperty;

/**
 * Emoji in prose, protected as {@link SpanType#EMOJI} so that a translator cannot drop or swap
 * them. A span is a run of emoji sequences (Unicode's emoji properties, through ICU): a character
 * with emoji presentation (😀 🎉), a pictograph with text presentation made emoji by U+FE0F (❤️),
 * a keycap ({@code 1️⃣}: 0–9, # or * with U+20E3), or a flag (two regional indicators); each
 * extended by skin-tone modifiers, variation selectors, tag characters and U+200D joins (👩‍💻).
 * Text-presentation symbols without U+FE0F (© ® ™ ↔ ☺) and bare digits, # and * are not emoji.
 */
final class EmojiSpans {
  private static final int VS15 = 0xFE0E;
  private static final int VS16 = 0xFE0F;
  private static final int ZWJ = 0x200D;
  private static final int KEYCAP = 0x20E3;

  private EmojiSpans() {}

  /** A cheap first test before {@link #end}: can an emoji sequence start with this char? */
  static boolean mayStart(char c) {
    return c >= 0x2000 || (c >= '0' && c <= '9') || c == '#' || c == '*';
  }

  /** The end of the emoji run that starts at {@code k} (before {@code b}), or -1 when none. */
  static int end(String t, int k, int b) {
    int end = sequenceEnd(t, k, b);
    if (end < 0) {
      return -1;
    }
    for (int next = sequenceEnd(t, end, b); next > 0; next = sequenceEnd(t, end, b)) {
      end = next;
    }
    return end;
  }

  /** The end of one emoji sequence at {@code k}, or -1. */
  private static int sequenceEnd(String t, int k, int b) {
    if (k >= b) {
      return -1;
    }
    int cp = t.codePointAt(k);
    int i = k + Character.charCount(cp);
    if ((cp >= '0' && cp <= '9') || cp == '#' || cp == '*') {
      int j = i < b && t.codePointAt(i) == VS16 ? i + 1 : i;
      return j < b && t.charAt(j) == KEYCAP ? j + 1 : -1;
    }
    if (UCharacter.hasBinaryProperty(cp, UProperty.REGIONAL_INDICATOR)) {
      if (i < b && UCharacter.hasBinaryProperty(t.codePointAt(i), UProperty.REGIONAL_INDICATOR)) {
        return i + Character.charCount(t.codePointAt(i));
      }
      return -1;
    }
    boolean presentation = UCharacter.hasBinaryProperty(cp, UProperty.EMOJI_PRESENTATION);
    boolean pictograph = UCharacter.hasBinaryProperty(cp, UProperty.EXTENDED_PICTOGRAPHIC);
    if (!presentation && !(pictograph && i < b && t.codePointAt(i) == VS16)) {
      return -1;
    }
    return tail(t, i, b);
  }

  /** Modifiers, selectors, tags and joined pictographs after an emoji's base. */
  private static int tail(String t, int i, int b) {
    while (i < b) {
      int cp = t.codePointAt(i);
      if (cp == VS16 || cp == VS15 || cp == KEYCAP
          || UCharacter.hasBinaryProperty(cp, UProperty.EMOJI_MODIFIER)
          || (cp >= 0xE0020 && cp <= 0xE007F)) {
        i += Character.charCount(cp);
      } else if (cp == ZWJ && i + 1 < b
          && UCharacter.hasBinaryProperty(t.codePointAt(i + 1), UProperty.EXTENDED_PICTOGRAPHIC)) {
        i += 1 + Character.charCount(t.codePointAt(i + 1));
      } else {
        break;
      }
    }
    return i;
  }
}
