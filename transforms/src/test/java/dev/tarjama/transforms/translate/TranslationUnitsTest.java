package dev.tarjama.transforms.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.Placeholders;
import dev.tarjama.transforms.translate.TranslationUnits.Part;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

class TranslationUnitsTest {
  private final TranslationUnits units = new TranslationUnits();

  private static Part t(String text) {
    return new Part(text, true);
  }

  private static Part v(String text) {
    return new Part(text, false);
  }

  @Test
  void proseBetweenPlaceholdersIsTranslatedAndThePlaceholdersStay() {
    assertEquals(
        List.of(t("Run"), v(" ⟦0⟧ "), t("to list the files, then"), v(" ⟦1⟧. "), t("Done."),
            v("\n")),
        units.split("Run ⟦0⟧ to list the files, then ⟦1⟧. Done.\n"));
  }

  @Test
  void sentencesLinesAndMarkdownMarkersAreSeparate() {
    String text = "## Steps\n\n1. Open the box. Take the key.\n- Lock the door\n> Quoted line";
    assertEquals(
        List.of(v("## "), t("Steps"), v("\n\n1. "), t("Open the box."), v(" "),
            t("Take the key."), v("\n- "), t("Lock the door"), v("\n> "), t("Quoted line")),
        units.split(text));
  }

  @Test
  void piecesWithoutLettersStayAsTheyAre() {
    assertEquals(List.of(v("  ⟦0⟧ ... 42, ⟦1⟧!  ")), units.split("  ⟦0⟧ ... 42, ⟦1⟧!  "));
    assertEquals(List.of(v("   \n\t")), units.split("   \n\t"));
    assertEquals(List.of(), units.split(""));
  }

  @Test
  void joinPutsTranslationsBetweenTheKeptParts() {
    List<Part> parts = units.split("Run ⟦0⟧ now.\n- Then ⟦1⟧");
    assertEquals(List.of("Run", "now.", "Then"), TranslationUnits.sources(parts));
    assertEquals(
        "شغّل ⟦0⟧ الآن.\n- ثم ⟦1⟧",
        TranslationUnits.join(parts, List.of(" شغّل ", "الآن.", "ثم\n")));
    assertThrows(IllegalArgumentException.class, () -> TranslationUnits.join(parts, List.of("x")));
    assertThrows(
        IllegalArgumentException.class,
        () -> TranslationUnits.join(parts, List.of("a", "b", "c", "d")));
  }

  @Test
  void onGsm8kChunksThePartsRebuildTheTextAndTheModelSeesNoPlaceholderOrLineBreak()
      throws Exception {
    List<Chunk> chunks = TranslateChunksTest.gsm8kChunks(40);
    int placeholders = 0;
    for (Chunk chunk : chunks) {
      List<Part> parts = units.split(chunk.text());
      StringBuilder rebuilt = new StringBuilder();
      for (Part p : parts) {
        rebuilt.append(p.text());
        if (p.translate()) {
          assertFalse(p.text().contains("⟦") || p.text().contains("\n"), p.text());
          assertEquals(p.text().strip(), p.text());
        }
      }
      assertEquals(chunk.text(), rebuilt.toString());
      // The identity "translation" gives the chunk back: placeholders in their order.
      assertEquals(chunk.text(), TranslationUnits.join(parts, TranslationUnits.sources(parts)));
      Matcher m = Placeholders.PATTERN.matcher(chunk.text());
      List<String> order = new ArrayList<>();
      while (m.find()) {
        order.add(m.group());
        placeholders++;
      }
      assertEquals(order.size(), chunk.spans().size());
    }
    assertTrue(placeholders > 20, "too few placeholders to test anything: " + placeholders);
  }
}
