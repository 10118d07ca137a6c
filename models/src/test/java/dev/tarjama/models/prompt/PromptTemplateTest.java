package dev.tarjama.models.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptTemplateTest {

  @Test
  void shippedTemplatesRenderTheirExactWording() {
    assertEquals(
        "Translate from English to Arabic: Hi ⟦0⟧ there.",
        PromptTemplate.named("hala").render("Hi ⟦0⟧ there."));
    assertEquals(
        "Translate the following English sentence into Arabic:\nLine one.\nLine two. <ar>",
        PromptTemplate.named("seed-x").render("Line one.\nLine two."));
    assertEquals(
        java.util.List.of("hala", "hala-lfm2", "hala-eval", "seed-x"),
        java.util.List.copyOf(PromptTemplate.names()));
  }

  @Test
  void halasPromptsAreThePapersWordsByteForByte() {
    // Typed from Hala's paper (arXiv 2509.14008); the dash is U+2014 EM DASH.
    String lfm2 =
        "You are a professional translation engine. Translate English to Modern Standard Arabic. "
            + "Reply ONLY with the Arabic translation\u2014no quotes, notes, or explanations. "
            + "Translate everything that follows into Arabic: Hello {text}.";
    assertEquals(lfm2, PromptTemplate.named("hala-lfm2").render("Hello {text}."));
    assertEquals(
        "Translate everything that follows into Arabic: Line one.\nLine two.",
        PromptTemplate.named("hala-eval").render("Line one.\nLine two."));
  }

  @Test
  void textIsInsertedVerbatimEvenWhenItLooksLikeAPlaceholder() {
    PromptTemplate t = PromptTemplate.of("From {source_lang} to {target_lang} {json}: {text}");
    assertEquals(
        "From English to Arabic {json}: use {text} and {target_lang} and $1 \\1",
        t.render("use {text} and {target_lang} and $1 \\1"));
    assertEquals(
        "From English to French {json}: x",
        t.withLanguages("English", "French").render("x"));
  }

  @Test
  void unknownNamesAndTemplatesWithoutTextAreRejected() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PromptTemplate.named("hala-lfm3"));
    assertTrue(e.getMessage().contains("hala, hala-lfm2, hala-eval, seed-x"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> PromptTemplate.of("Translate: {txt}"));
  }

  @Test
  void fileTemplatesKeepTheirBytesButTheFinalLineBreak(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("prompt.txt");
    Files.writeString(file, "ترجم إلى {target_lang}:\n\n{text}\n", StandardCharsets.UTF_8);
    PromptTemplate t = PromptTemplate.resolve("file:" + file);
    assertEquals("ترجم إلى Arabic:\n\nHello", t.render("Hello"));
    assertEquals("file:" + file, t.name());

    Path latin1 = dir.resolve("latin1.txt");
    Files.write(latin1, new byte[] {'{', 't', 'e', 'x', 't', '}', (byte) 0xE9});
    assertThrows(IllegalArgumentException.class, () -> PromptTemplate.fromFile(latin1));
  }

  @Test
  void survivesJavaSerialization() throws Exception {
    PromptTemplate t = PromptTemplate.named("seed-x").withLanguages("English", "Arabic");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(t);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertEquals(t, in.readObject());
    }
  }

  @Test
  void fillInsertsValuesOnceWithoutScanningThemAgain() {
    assertEquals("EN: says {ar} / AR: نص",
        PromptTemplate.fill("EN: {en} / AR: {ar}", java.util.Map.of("{en}", "says {ar}", "{ar}", "نص")));
    assertEquals("{unknown} kept", PromptTemplate.fill("{unknown} kept", java.util.Map.of("{en}", "x")));
  }
}
