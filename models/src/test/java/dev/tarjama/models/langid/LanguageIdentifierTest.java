package dev.tarjama.models.langid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tarjama.models.testing.DataKit;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The data kit's fastText lid.176 model on the data kit's parallel EN/AR text. */
class LanguageIdentifierTest {
  static final String MODEL = DataKit.langid().toString();

  static List<String> xquadContexts(String language, int n) throws Exception {
    JsonNode root = new ObjectMapper()
        .readTree(DataKit.data("eval/xquad/xquad." + language + ".json").toFile());
    List<String> contexts = new ArrayList<>();
    for (JsonNode article : root.get("data")) {
      for (JsonNode paragraph : article.get("paragraphs")) {
        if (contexts.size() < n) {
          contexts.add(paragraph.get("context").asText());
        }
      }
    }
    return contexts;
  }

  @Test
  void xquadParagraphsAreIdentifiedAsTheirLanguage() throws Exception {
    LanguageIdentifier lid = LanguageIdentifiers.acquire(MODEL);
    for (String en : xquadContexts("en", 30)) {
      LanguageIdentifier.Prediction p = lid.identify(en);
      assertEquals("en", p.language(), en);
      assertTrue(p.probability() > 0.5, p + " " + en);
    }
    for (String ar : xquadContexts("ar", 30)) {
      assertEquals("ar", lid.identify(ar).language(), ar);
    }
  }

  @Test
  void textWithoutLettersIsUndetermined() {
    LanguageIdentifier lid = LanguageIdentifiers.acquire(MODEL);
    assertEquals(new LanguageIdentifier.Prediction("und", 0.0), lid.identify("16 - 3 - 4 = 9\n"));
  }

  @Test
  void oneModelPerFileAndAClearErrorForAMissingOne() {
    assertSame(LanguageIdentifiers.acquire(MODEL), LanguageIdentifiers.acquire(MODEL));
    UncheckedIOException e = assertThrows(UncheckedIOException.class,
        () -> LanguageIdentifiers.acquire(DataKit.models("langid/nope.ftz").toString()));
    assertTrue(e.getMessage().contains("nope.ftz"), e.getMessage());
  }
}
