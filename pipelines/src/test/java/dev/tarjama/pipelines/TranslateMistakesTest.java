package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.models.testing.DataKit;
import dev.tarjama.models.testing.FakeOpenAiServer;
import dev.tarjama.models.testing.TranslatorAnswers;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every user mistake of {@code tarjama translate} ends before any pipeline starts with one line
 * and exit 2 (or, when every record failed, exit 3 with the first reasons), against real
 * servers on loopback; {@code --help}, {@code --limit}, a directory input, {@code --overwrite}
 * and a dry run beside a finished run.
 */
class TranslateMistakesTest {
  static final Path GSM8K = DataKit.data("instruct/gsm8k/test.jsonl");

  static FakeOpenAiServer server(String... models) throws Exception {
    return FakeOpenAiServer.builder().promptPrefix(TranslatorAnswers.HALA_PREFIX)
        .models(models).start();
  }

  static String backend(FakeOpenAiServer server, String model) {
    return "--backend=name=gemma,url=" + server.baseUrl() + ",model=" + model + ",prompt=hala";
  }

  static Path head(Path dir, String name, int records) throws Exception {
    Files.createDirectories(dir);
    List<String> lines = Files.readAllLines(GSM8K).subList(0, records);
    return Files.write(dir.resolve(name), lines);
  }

  /** A user error: exit 2, one line on stderr naming it, no run marker, nothing sent. */
  static void assertUserError(RunOutputs r, String expected, Path out) {
    assertEquals(2, r.exitCode, r.stderr);
    assertEquals(1, r.stderr.strip().lines().count(), r.stderr);
    assertTrue(r.stderr.contains(expected), r.stderr);
    assertFalse(r.stderr.contains("Exception"), r.stderr);
    assertFalse(Files.exists(out.resolve(RunDirectory.UNFINISHED)), "no run marker is left");
  }

  @Test
  void aMissingFileAndAnEmptyGlobStopAtOnceAndLeaveNothingBehind(@TempDir Path tmp)
      throws Exception {
    try (FakeOpenAiServer server = server("gemma-3-27b")) {
      Path out = tmp.resolve("out");
      long start = System.nanoTime();
      assertUserError(
          JobTest.line("translate", "--input=" + tmp.resolve("nope.jsonl"), "--output=" + out,
              backend(server, "gemma-3-27b")).anyExit().runOnce(),
          "no such file", out);
      assertTrue((System.nanoTime() - start) / 1e9 < 5, "it fails before any pipeline starts");
      assertUserError(
          JobTest.line("translate", "--input=" + tmp.resolve("*.parquet"), "--output=" + out,
              backend(server, "gemma-3-27b")).anyExit().runOnce(),
          "matches no file", out);
      Files.createDirectories(tmp.resolve("empty"));
      assertUserError(
          JobTest.line("translate", "--input=" + tmp.resolve("empty"), "--output=" + out,
              backend(server, "gemma-3-27b")).anyExit().runOnce(),
          "without supported files", out);
      assertEquals(0, server.requestCount());
    }
  }

  @Test
  void backendsAreProbedBeforeAnythingIsSpent(@TempDir Path tmp) throws Exception {
    Path input = head(tmp.resolve("in"), "a.jsonl", 2);
    Path out = tmp.resolve("out");
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    assertUserError(
        JobTest.line("translate", "--input=" + input, "--output=" + out,
                "--backend=name=gone,url=http://127.0.0.1:" + closedPort + "/v1,model=m")
            .anyExit().runOnce(),
        "backend gone: http://127.0.0.1:" + closedPort + "/v1 is not reachable", out);
    try (FakeOpenAiServer server = server("qwen3-8b", "gemma-3-27b")) {
      RunOutputs wrongModel = JobTest.line("translate", "--input=" + input, "--output=" + out,
          backend(server, "gemma-3-72b")).anyExit().runOnce();
      assertUserError(wrongModel, "model 'gemma-3-72b' is not served", out);
      assertTrue(wrongModel.stderr.contains("qwen3-8b, gemma-3-27b"), wrongModel.stderr);
      assertEquals(0, server.requestCount(), "no translation request was sent");
    }
    try (FakeOpenAiServer keyed =
        FakeOpenAiServer.builder().promptPrefix(TranslatorAnswers.HALA_PREFIX)
            .models("gemma-3-27b").requiredApiKey("sk-right").start()) {
      RunOutputs noKey = JobTest.line("translate", "--input=" + input, "--output=" + out,
          backend(keyed, "gemma-3-27b")).anyExit().runOnce();
      assertUserError(noKey, "refused the API key (HTTP 401)", out);
      assertEquals(0, keyed.requestCount());
    }
  }

  @Test
  void aRunWhoseEveryRecordIsADeadLetterExitsThreeWithTheReasons(@TempDir Path tmp)
      throws Exception {
    Path input = head(tmp.resolve("in"), "a.jsonl", 2);
    Path out = tmp.resolve("out");
    try (FakeOpenAiServer failing =
        FakeOpenAiServer.builder().promptPrefix(TranslatorAnswers.HALA_PREFIX)
            .models("gemma-3-27b").alwaysFail(FakeOpenAiServer.Fault.status(400)).start()) {
      RunOutputs r = JobTest.line("translate", "--input=" + input, "--output=" + out,
          backend(failing, "gemma-3-27b") + ",retries=1", "--progress-seconds=0")
              .exits(3).runOnce();
      assertTrue(r.stderr.contains("every record is a dead letter"), r.stderr);
      assertTrue(r.stderr.contains("a.jsonl:"), r.stderr);
      assertTrue(r.stderr.contains("HTTP 400"), r.stderr);
      assertFalse(r.stderr.contains("Exception"), r.stderr);
      JsonNode counts = new RunOutputs(out).report().get("counts");
      assertEquals(2, counts.get("dead_letter").asInt());
    }
  }

  @Test
  void aFinishedRunIsKeptFromAnotherInputAndADryRunGoesBesideIt(@TempDir Path tmp)
      throws Exception {
    Path first = head(tmp.resolve("first"), "a.jsonl", 2);
    Path second = head(tmp.resolve("second"), "b.jsonl", 3);
    Path out = tmp.resolve("out");
    try (FakeOpenAiServer server = server("gemma-3-27b")) {
      JobTest.line("translate", "--input=" + first, "--output=" + out,
          backend(server, "gemma-3-27b"), "--progress-seconds=0").runOnce();
      String report = Files.readString(out.resolve("report.json"));

      assertUserError(
          JobTest.line("translate", "--input=" + second, "--output=" + out,
              backend(server, "gemma-3-27b")).anyExit().runOnce(),
          "holds a finished run of --input=" + first + ": give --overwrite", out);
      assertEquals(report, Files.readString(out.resolve("report.json")));

      JobTest.line("translate", "--input=" + second, "--output=" + out,
          backend(server, "gemma-3-27b"), "--dry-run", "--progress-seconds=0").runOnce();
      assertEquals(report, Files.readString(out.resolve("report.json")), "the run's report stays");
      assertEquals(3, new RunOutputs(out.resolve(TranslateCommand.ESTIMATE)).report()
          .get("counts").get("input").asInt());
      assertEquals(2, new RunOutputs(out).lines("chosen").size(), "the run's outputs stay");

      JobTest.line("translate", "--input=" + second, "--output=" + out,
          backend(server, "gemma-3-27b"), "--overwrite", "--progress-seconds=0").runOnce();
      assertEquals(3, new RunOutputs(out).report().get("counts").get("input").asInt());
    }
  }

  @Test
  void aDirectoryMeansItsSupportedFilesAndLimitTakesTheFirstRecords(@TempDir Path tmp)
      throws Exception {
    Path dir = tmp.resolve("in");
    head(dir, "a.jsonl", 3);
    head(dir.resolve("sub"), "b.jsonl", 3);
    Files.writeString(dir.resolve("notes.txt"), "not a dataset\n");
    Path out = tmp.resolve("out");
    RunOutputs outputs;
    try (FakeOpenAiServer server = server("gemma-3-27b")) {
      outputs = JobTest.line("translate", "--input=" + dir, "--output=" + out,
          backend(server, "gemma-3-27b"), "--limit=4", "--progress-seconds=0").runOnce();
    }
    assertEquals(4, outputs.report().get("counts").get("input").asInt());
    Set<String> ids = new TreeSet<>();
    for (JsonNode c : outputs.lines("candidates")) {
      ids.add(c.get("record_id").asText());
    }
    assertEquals(Set.of("a.jsonl:1", "a.jsonl:2", "a.jsonl:3", "sub/b.jsonl:1"), ids);
  }

  @Test
  void helpListsTarjamasOwnOptionsInGroups() throws Exception {
    for (String flag : List.of("--help", "-h")) {
      RunOutputs r = JobTest.line("translate", flag).runOnce();
      for (String expected :
          List.of("Input:", "Output:", "Backends:", "Scoring and ranking:", "--input=STRING",
              "--backend=…", "--limit=LONG", "--overwrite", "--dry-run", "--runner=")) {
        assertTrue(r.stdout.contains(expected), expected + " in\n" + r.stdout);
      }
      assertFalse(r.stdout.contains("GcpOptions"), r.stdout);
      assertFalse(r.stdout.contains("--jobName"), r.stdout);
    }
  }
}
