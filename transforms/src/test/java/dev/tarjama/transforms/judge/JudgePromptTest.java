package dev.tarjama.transforms.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.models.openai.BackendConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JudgePromptTest {
  @Test
  void theStrictPromptCarriesBothSidesAndAsksForOneWord() {
    String prompt = JudgePrompt.strict().render("Hi.", "مرحبًا.");
    assertTrue(prompt.contains("English:\nHi.\n\nArabic:\nمرحبًا.\n\n"), prompt);
    assertTrue(prompt.endsWith("Answer with exactly one word: ACCEPT or REJECT."), prompt);
  }

  @Test
  void halasJudgePromptIsThePapersWordsByteForByte() {
    // Hala (arXiv 2509.14008) with {ar_text} = the Arabic side, {en_text} = the English side.
    String expected =
        "You are a strict bilingual judge.\nYou will be given a translation pair.\n"
            + "Arabic: مرحبًا.\nEnglish: Hi.\n"
            + "If the English is a correct and natural translation of the Arabic, output only: "
            + "accept\nOtherwise, output only: reject";
    assertEquals(expected, JudgePrompt.resolve("hala").render("Hi.", "مرحبًا."));
    assertEquals("hala", JudgePrompt.resolve("hala").name());
    // Its lower-case verdict words are what the parser reads.
    assertEquals(Verdict.ACCEPT, VerdictParser.parse("accept"));
    assertEquals(Verdict.REJECT, VerdictParser.parse("reject\n"));
  }

  @Test
  void placeholdersInsideAPairAreNotExpanded() {
    JudgePrompt p = JudgePrompt.of("[{en}] [{ar}]");
    assertEquals("[say {ar}] [{en} قل]", p.render("say {ar}", "{en} قل"));
  }

  @Test
  void aTemplateNeedsBothPlaceholdersAndResolvesFromAFile(@TempDir Path dir) throws Exception {
    assertThrows(IllegalArgumentException.class, () -> JudgePrompt.of("Judge: {en}"));
    assertThrows(IllegalArgumentException.class, () -> JudgePrompt.resolve("hala-judge"));
    Path file = dir.resolve("judge.txt");
    Files.writeString(file, "EN={en} AR={ar}\n");
    JudgePrompt fromFile = JudgePrompt.resolve("file:" + file);
    assertEquals("EN=a AR=b", fromFile.render("a", "b"));
    assertEquals(JudgePrompt.strict(), JudgePrompt.resolve("strict"));
  }

  @Test
  void aRequestIsAPureFunctionOfConfigTemplateAndPair() {
    BackendConfig config = BackendConfig.of("http://127.0.0.1:9/v1", "judge");
    ParallelPair pair = new ParallelPair("a:1", "Hi.", "مرحبًا.", "a", 1);
    ParallelPair sameText = new ParallelPair("b:7", "Hi.", "مرحبًا.", "b", 7);
    assertEquals(JudgeRequest.of(config, JudgePrompt.strict(), pair),
        JudgeRequest.of(config, JudgePrompt.strict(), sameText));
    assertTrue(!JudgeRequest.of(config.withTemperature(0), JudgePrompt.strict(), pair)
        .equals(JudgeRequest.of(config, JudgePrompt.strict(), pair)));
  }
}
