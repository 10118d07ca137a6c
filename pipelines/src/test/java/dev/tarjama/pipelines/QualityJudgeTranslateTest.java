package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.models.testing.FakeOpenAiServer;
import dev.tarjama.models.testing.JudgeAnswers;
import dev.tarjama.models.testing.TranslatorAnswers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code translate --qe-judge=NAME} end to end on the DirectRunner, against a real loopback
 * translator and a real loopback judge with scripted verdicts: a record whose only candidate the
 * judge rejects is rejected with the reason {@code meaning}, an accepted one is chosen, and a
 * second run over the same cache asks the judge nothing.
 */
class QualityJudgeTranslateTest {
  private static final String HUNGRY = "I am hungry.";
  private static final String STATION = "Where is the station?";

  @Test
  void theJudgeGatesCandidatesAndIsCached(@TempDir Path tmp) throws Exception {
    Path in = tmp.resolve("in.jsonl");
    Files.write(in, List.of(
        "{\"id\": \"a\", \"messages\": [{\"role\": \"user\", \"content\": \"" + HUNGRY + "\"}]}",
        "{\"id\": \"b\", \"messages\": [{\"role\": \"user\", \"content\": \"" + STATION + "\"}]}"));
    // The judge accepts only the loopback translation of HUNGRY; anything else is rejected.
    Map<String, Set<String>> faithful = Map.of(HUNGRY, Set.of(TranslatorAnswers.translate(HUNGRY, 0)));
    try (FakeOpenAiServer translator = FakeOpenAiServer.start();
        FakeOpenAiServer judge =
            FakeOpenAiServer.builder().judge(JudgeAnswers.of(faithful)).start()) {
      String cache = "--cache=sqlite:" + tmp.resolve("cache.db");
      String[] args = {
        "translate", "--input=" + in, "--id-field=id", cache,
        "--backend=name=gemma,url=" + translator.baseUrl() + ",model=gemma,prompt=hala,k=1",
        "--qe-judge=name=qe,url=" + judge.baseUrl() + ",model=qwen,temperature=0"};
      Path out = tmp.resolve("out1");
      JobTest.line(with(args, "--output=" + out)).runOnce();
      int asked = judge.requestCount();
      assertTrue(asked >= 2, "the judge was asked " + asked + " times");

      RunOutputs outputs = new RunOutputs(out);
      JsonNode counts = outputs.report().get("counts");
      assertEquals(1, counts.get("chosen").asInt(), counts.toString());
      assertEquals(1, counts.get("rejected").asInt(), counts.toString());
      JsonNode rejected = outputs.lines("rejected").get(0);
      assertTrue(rejected.toString().contains("meaning: "), rejected.toString());
      assertTrue(rejected.get("record_id").asText().endsWith("[b]"), rejected.toString());

      Path again = tmp.resolve("out2");
      JobTest.line(with(args, "--output=" + again)).runOnce();
      assertEquals(asked, judge.requestCount(), "the second run asked the judge again");
      assertEquals(counts, new RunOutputs(again).report().get("counts"));
    }
  }

  @Test
  void anUnknownJudgeNameStopsTheCommandBeforeAnyCall(@TempDir Path tmp) throws Exception {
    Path in = tmp.resolve("in.jsonl");
    Files.write(in, List.of("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi.\"}]}"));
    JobTest.line("translate", "--input=" + in,
        "--output=" + tmp.resolve("out"), "--backend=name=gemma,url=http://127.0.0.1:9/v1,model=m",
        "--qe-judge=gemini").exits(2).runOnce();
  }

  private static String[] with(String[] args, String more) {
    String[] out = java.util.Arrays.copyOf(args, args.length + 1);
    out[args.length] = more;
    return out;
  }
}
