package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.evaluate.Bleu;
import dev.tarjama.transforms.evaluate.ChrF;
import dev.tarjama.transforms.evaluate.RougeL;
import dev.tarjama.transforms.io.RecordJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tarjama evaluate} on the first 30 segments of the shipped XQuAD EN→AR set, with a file
 * system (the references themselves, so the scores must be 100) and the bundled tiny model A run
 * in-process as a local backend.
 */
class EvaluateCommandTest {
  private static final Path TESTDATA = Path.of(System.getProperty("tarjama.testdata"));
  private static final int N = 30;

  @Test
  void scoresAFileAndALocalTranslator(@TempDir Path tmp) throws Exception {
    List<String> en = Files.readAllLines(TESTDATA.resolve("eval/xquad_en_ar.en.txt")).subList(0, N);
    List<String> ar = Files.readAllLines(TESTDATA.resolve("eval/xquad_en_ar.ar.txt")).subList(0, N);
    Path sources = tmp.resolve("xquad.en.txt");
    Path references = tmp.resolve("xquad.ar.txt");
    // CRLF sources, LF references: both are one segment per line
    Files.writeString(sources, String.join("\r\n", en) + "\r\n", StandardCharsets.UTF_8);
    Files.write(references, ar, StandardCharsets.UTF_8);
    Path output = tmp.resolve("eval");

    String printed = JobTest.line(
        "evaluate", "--sources=" + sources, "--references=" + references,
        "--system=human=" + references,
        "--system=tiny-a=kind=local,path=" + TESTDATA.resolve("models/tiny-en-ar-a"),
        "--output=" + output).runOnce().stdout;

    JsonNode scores = RecordJson.parse(Files.readString(output.resolve("scores.json")));
    assertEquals(List.of("human", "tiny-a"), iterableNames(scores));
    JsonNode human = scores.get("human");
    assertEquals(100.0, human.get("bleu").asDouble(), 1e-9);
    assertEquals(100.0, human.get("chrf_pp").asDouble(), 1e-9);
    assertEquals(100.0, human.get("rouge_l").asDouble(), 1e-9);
    assertEquals("BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0",
        human.get("signature").get("bleu").asText());

    // The model's translations are written, one per line, and are Arabic; its scores are the
    // metrics' on that file.
    List<String> hyps = Files.readAllLines(output.resolve("translations/tiny-a.txt"));
    assertEquals(N, hyps.size());
    long arabic = hyps.stream().filter(h -> Pattern.compile("\\p{IsArabic}{2,}").matcher(h).find())
        .count();
    assertTrue(arabic > N * 0.9, hyps.toString());
    JsonNode tiny = scores.get("tiny-a");
    assertEquals(N, tiny.get("segments").asInt());
    assertEquals(0, tiny.get("failed").asInt());
    List<List<String>> refs = List.of(ar);
    assertEquals(Bleu.sacreBleu().corpusScore(hyps, refs).score(), tiny.get("bleu").asDouble(),
        1e-9);
    assertEquals(ChrF.chrFPlusPlus().corpusScore(hyps, refs), tiny.get("chrf_pp").asDouble(),
        1e-9);
    assertEquals(RougeL.unicode().corpusScore(hyps, refs), tiny.get("rouge_l").asDouble(), 1e-9);
    double chrf = tiny.get("chrf_pp").asDouble();
    assertTrue(chrf > 1 && chrf < 60, "a demo model on Wikipedia questions: " + chrf);
    assertTrue(tiny.get("rouge_l").asDouble() > 0, "Arabic words are counted");

    assertTrue(printed.contains("system  segments    BLEU  chrF++  ROUGE-L  failed"), printed);
    assertTrue(printed.contains("chrF2++|nrefs:1|case:mixed|eff:yes|nc:6|nw:2|space:no|version:2.6.0"),
        printed);
    assertTrue(Files.readString(output.resolve("dead_letter/dead_letter.jsonl")).isEmpty());
    assertFalse(Files.exists(output.resolve("_evaluate")), "temporary files removed");
  }

  @Test
  void aLengthMismatchNamesTheFilesAndCounts(@TempDir Path tmp) throws Exception {
    Path sources = tmp.resolve("s.txt");
    Path references = tmp.resolve("r.txt");
    Path system = tmp.resolve("sys.txt");
    Files.writeString(sources, "a\nb\nc\n");
    Files.writeString(references, "x\ny\nz\n");
    Files.writeString(system, "x\ny\n");
    JobTest evaluate = JobTest.line(
        "evaluate", "--sources=" + sources, "--references=" + references,
        "--system=mine=" + system, "--output=" + tmp.resolve("out")).exits(2);
    assertEquals("tarjama evaluate: system mine's file " + system + " has 2 segments (lines) but"
        + " --sources " + sources + " has 3; line i of each must be the same segment\n",
        evaluate.runOnce().stderr);

    Files.writeString(references, "x\ny\n");
    String stderr = evaluate.runOnce().stderr;
    assertTrue(stderr.contains(
        "--references " + references + " has 2 segments (lines) but --sources " + sources
            + " has 3"), stderr);
  }

  @Test
  void systemSpecs() {
    EvaluationSystem file = EvaluationSystem.parse("gemma=out/gemma.ar.txt");
    assertFalse(file.isTranslator());
    EvaluationSystem local = EvaluationSystem.parse("tiny=kind=local,path=testdata/models/x");
    assertTrue(local.isTranslator());
    assertEquals("tiny", local.backend().name());
    EvaluationSystem api =
        EvaluationSystem.parse("g=name=gemma,url=http://127.0.0.1:8000/v1,model=gemma-3");
    assertEquals("gemma", api.backend().name());
  }

  private static List<String> iterableNames(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
