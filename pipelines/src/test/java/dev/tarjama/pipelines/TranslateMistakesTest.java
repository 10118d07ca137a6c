package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.models.testing.DataKit;
import dev.tarjama.transforms.testing.FakeOpenAiServer;
import dev.tarjama.transforms.testing.TranslatorAnswers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

  record Result(int code, String out, String err) {}

  static Result translate(String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of("translate"));
    all.addAll(List.of(args));
    int code =
        Tarjama.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    Result r = new Result(code, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
    System.out.print(r.out());
    System.err.print(r.err());
    return r;
  }

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
  static void assertUserError(Result r, String expected, Path out) {
    assertEquals(2, r.code(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains(expected), r.err());
    assertFalse(r.err().contains("Exception"), r.err());
    assertFalse(Files.exists(out.resolve(RunDirectory.UNFINISHED)), "no run marker is left");
  }

  @Test
  void aMissingFileAndAnEmptyGlobStopAtOnceAndLeaveNothingBehind(@TempDir Path tmp)
      throws Exception {
    try (FakeOpenAiServer server = server("gemma-3-27b")) {
      Path out = tmp.resolve("out");
      long start = System.nanoTime();
      assertUserError(
          translate("--input=" + tmp.resolve("nope.jsonl"), "--output=" + out,
              backend(server, "gemma-3-27b")),
          "no such file", out);
      assertTrue((System.nanoTime() - start) / 1e9 < 5, "it fails before any pipeline starts");
      assertUserError(
          translate("--input=" + tmp.resolve("*.parquet"), "--output=" + out,
              backend(server, "gemma-3-27b")),
          "matches no file", out);
      Files.createDirectories(tmp.resolve("empty"));
      assertUserError(
          translate("--input=" + tmp.resolve("empty"), "--output=" + out,
              backend(server, "gemma-3-27b")),
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
        translate("--input=" + input, "--output=" + out,
            "--backend=name=gone,url=http://127.0.0.1:" + closedPort + "/v1,model=m"),
        "backend gone: http://127.0.0.1:" + closedPort + "/v1 is not reachable", out);
    try (FakeOpenAiServer server = server("qwen3-8b", "gemma-3-27b")) {
      Result wrongModel =
          translate("--input=" + input, "--output=" + out, backend(server, "gemma-3-72b"));
      assertUserError(wrongModel, "model 'gemma-3-72b' is not served", out);
      assertTrue(wrongModel.err().contains("qwen3-8b, gemma-3-27b"), wrongModel.err());
      assertEquals(0, server.requestCount(), "no translation request was sent");
    }
    try (FakeOpenAiServer keyed =
        FakeOpenAiServer.builder().promptPrefix(TranslatorAnswers.HALA_PREFIX)
            .models("gemma-3-27b").requiredApiKey("sk-right").start()) {
      Result noKey = translate("--input=" + input, "--output=" + out, backend(keyed, "gemma-3-27b"));
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
      Result r = translate("--input=" + input, "--output=" + out,
          backend(failing, "gemma-3-27b") + ",retries=1", "--progress-seconds=0");
      assertEquals(3, r.code(), r.err());
      assertTrue(r.err().contains("every record is a dead letter"), r.err());
      assertTrue(r.err().contains("a.jsonl:"), r.err());
      assertTrue(r.err().contains("HTTP 400"), r.err());
      assertFalse(r.err().contains("Exception"), r.err());
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
      assertEquals(0, translate("--input=" + first, "--output=" + out,
          backend(server, "gemma-3-27b"), "--progress-seconds=0").code());
      String report = Files.readString(out.resolve("report.json"));

      assertUserError(
          translate("--input=" + second, "--output=" + out, backend(server, "gemma-3-27b")),
          "holds a finished run of --input=" + first + ": give --overwrite", out);
      assertEquals(report, Files.readString(out.resolve("report.json")));

      Result dry = translate("--input=" + second, "--output=" + out,
          backend(server, "gemma-3-27b"), "--dry-run", "--progress-seconds=0");
      assertEquals(0, dry.code(), dry.err());
      assertEquals(report, Files.readString(out.resolve("report.json")), "the run's report stays");
      assertEquals(3, new RunOutputs(out.resolve(TranslateCommand.ESTIMATE)).report()
          .get("counts").get("input").asInt());
      assertEquals(2, new RunOutputs(out).lines("chosen").size(), "the run's outputs stay");

      assertEquals(0, translate("--input=" + second, "--output=" + out,
          backend(server, "gemma-3-27b"), "--overwrite", "--progress-seconds=0").code());
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
    try (FakeOpenAiServer server = server("gemma-3-27b")) {
      Result r = translate("--input=" + dir, "--output=" + out, backend(server, "gemma-3-27b"),
          "--limit=4", "--progress-seconds=0");
      assertEquals(0, r.code(), r.err());
    }
    RunOutputs outputs = new RunOutputs(out);
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
      Result r = translate(flag);
      assertEquals(0, r.code());
      for (String expected :
          List.of("Input:", "Output:", "Backends:", "Scoring and ranking:", "--input=STRING",
              "--backend=…", "--limit=LONG", "--overwrite", "--dry-run", "--runner=")) {
        assertTrue(r.out().contains(expected), expected + " in\n" + r.out());
      }
      assertFalse(r.out().contains("GcpOptions"), r.out());
      assertFalse(r.out().contains("--jobName"), r.out());
    }
  }
}
