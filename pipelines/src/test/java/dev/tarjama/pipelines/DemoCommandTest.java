package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.models.testing.DataKit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main command on a slice of its input: both bundled tiny models really translate,
 * one in-process through ONNX Runtime, one behind tarjama serve on loopback.
 */
class DemoCommandTest {
  static final Path MODELS = Path.of(System.getProperty("tarjama.testdata")).resolve("models");

  @Test
  void bothTinyModelsTranslateAndEveryRecordIsAccountedFor(@TempDir Path tmp) throws Exception {
    List<String> lines =
        Files.readAllLines(DataKit.data("instruct/smoltalk2_style/gsm8k_think.jsonl"));
    Path input = tmp.resolve("gsm8k_think.jsonl");
    Files.write(input, lines.subList(0, 12));
    Path output = tmp.resolve("out");

    // The demo's entry point with the bundled models' folder, which the command line cannot give.
    RunOutputs outputs = JobTest.line("demo", "--input=" + input, "--output=" + output,
            "--progress-seconds=0")
        .invokedBy((line, out, err) ->
            DemoCommand.run(Arrays.copyOfRange(line, 1, line.length), out, err, MODELS))
        .runOnce();
    JsonNode report = outputs.report();
    assertEquals(12, report.get("counts").get("input").asInt());
    assertEquals(12, report.get("counts").get("chosen").asInt()
        + report.get("counts").get("rejected").asInt());
    // k=2 from the in-process model, 1 from the served one.
    assertEquals(36, outputs.lines("candidates").size());
    JsonNode backends = report.get("backends");
    assertTrue(backends.get("tiny_a_local").get("valid").asLong() > 0, backends.toString());
    assertTrue(backends.get("tiny_b_served").get("valid").asLong() > 0, backends.toString());
    assertTrue(backends.get("tiny_b_served").get("api_calls").asLong() > 0, backends.toString());
    // The report for a person, with the sample of both backends' candidates.
    String html = Files.readString(output.resolve("report.html"));
    assertTrue(html.contains("tiny_a_local #1") && html.contains("tiny_b_served #0"), html);
    Pattern arabic = Pattern.compile("\\p{IsArabic}{3,}");
    for (JsonNode record : outputs.lines("chosen")) {
      String question = record.get("messages").get(0).get("content").asText();
      assertTrue(arabic.matcher(question).find(), question);
      String answer = record.get("messages").get(1).get("content").asText();
      if (record.get("original_source").asText().equals("gsm8k_think")) {
        assertTrue(answer.startsWith("<think>\n") && answer.contains("</think>"), answer);
      }
      // GSM8K's final answer line is protected, so it survives even a demo-quality model.
      assertTrue(Pattern.compile("(?m)^#### \\d+|\\n\\n\\d+$").matcher(answer).find(), answer);
    }
  }
}
