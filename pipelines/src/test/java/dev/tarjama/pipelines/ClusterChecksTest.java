package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What cannot work on workers that run elsewhere is refused before any pipeline starts (exit 2,
 * one line, nothing written): a local output or an SQLite cache on a remote Flink cluster or on
 * Dataflow, and a {@code key-env} key on Dataflow. The master addresses are never contacted: the
 * check comes first. {@code [local]} is not remote ({@link FlinkRunnerTest} runs it).
 */
class ClusterChecksTest {
  static final String REMOTE_FLINK = "--flinkMaster=10.255.0.5:8081";
  static final String BACKEND =
      "--backend=name=gemma,url=http://127.0.0.1:9/v1,model=gemma-3-27b,prompt=hala,k=1";

  static String[] translate(Path tmp, String... extra) throws Exception {
    Path input = tmp.resolve("in.jsonl");
    Files.write(input, List.of("{\"question\": \"What is 2 + 2?\", \"answer\": \"4\"}"));
    List<String> args = new ArrayList<>(List.of("translate", "--input=" + input,
        "--output=" + tmp.resolve("out"), BACKEND));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  /** The run exits 2 with one line on stderr holding every phrase, and writes nothing. */
  private static void assertRefused(JobTest run, Path tmp, String... phrases) throws Exception {
    String err = run.exits(2).runOnce().stderr;
    assertEquals(1, err.strip().lines().count(), "one line: " + err);
    for (String phrase : phrases) {
      assertTrue(err.contains(phrase), "'" + phrase + "' not in: " + err);
    }
    assertFalse(Files.exists(tmp.resolve("out")), "nothing may be written before the refusal");
  }

  @Test
  void aLocalOutputOnARemoteFlinkClusterIsRefusedUnlessDeclaredShared(@TempDir Path tmp)
      throws Exception {
    assertRefused(JobTest.line(translate(tmp, "--runner=FlinkRunner", REMOTE_FLINK)), tmp,
        "tarjama translate: --output=" + tmp.resolve("out") + " is a local path",
        "a Flink cluster (" + REMOTE_FLINK + ")", "gs://", "--sharedOutput");
  }

  @Test
  void theDefaultSqliteCacheOnARemoteFlinkClusterIsRefusedNamingRedis(@TempDir Path tmp)
      throws Exception {
    assertRefused(
        JobTest.line(translate(tmp, "--runner=FlinkRunner", REMOTE_FLINK, "--sharedOutput")), tmp,
        "tarjama translate: the translation cache sqlite:", "one SQLite file per host",
        "--cache=redis://HOST:PORT");
    assertRefused(JobTest.line(translate(tmp, "--runner=FlinkRunner", REMOTE_FLINK,
        "--sharedOutput", "--cache=sqlite:" + tmp.resolve("shared.db"))), tmp, "--cache=redis://");
  }

  @Test
  void judgeAndEvaluateAreCheckedTheSameWay(@TempDir Path tmp) throws Exception {
    Path tsv = Files.writeString(tmp.resolve("pairs.tsv"), "Hello.\tمرحبا.\n");
    String out = "--output=" + tmp.resolve("out");
    assertRefused(JobTest.line("judge", "--input=" + tsv, out,
        BACKEND.replace(",prompt=hala,k=1", ""), "--runner=FlinkRunner", REMOTE_FLINK,
        "--sharedOutput"), tmp,
        "tarjama judge: the translation cache sqlite:", "judgements.db", "--cache=redis://");
    assertRefused(JobTest.line("evaluate", "--sources=" + tsv, "--references=" + tsv,
        "--system=same=" + tsv, out, "--runner=DataflowRunner"), tmp,
        "tarjama evaluate: --output=", "on Dataflow", "give a gs:// output");
  }

  @Test
  void onDataflowALocalOutputAndAKeyFromTheEnvironmentAreRefused(@TempDir Path tmp)
      throws Exception {
    assertRefused(JobTest.line(translate(tmp, "--runner=DataflowRunner", "--sharedOutput")), tmp,
        "is a local path, but on Dataflow", "give a gs:// output");
    String[] withKeyEnv = translate(tmp, "--runner=DataflowRunner");
    for (int i = 0; i < withKeyEnv.length; i++) {
      if (withKeyEnv[i].startsWith("--backend=")) {
        withKeyEnv[i] += ",key-env=GEMMA_API_KEY";
      } else if (withKeyEnv[i].startsWith("--output=")) {
        withKeyEnv[i] = "--output=gs://tarjama-test/out";
      }
    }
    assertRefused(JobTest.line(withKeyEnv), tmp, "backend gemma: key-env=GEMMA_API_KEY",
        "Dataflow workers do not inherit", "key-secret=projects/P/secrets/S/versions/V");
  }

  @Test
  void aKeySecretThatIsNotASecretVersionIsRefused(@TempDir Path tmp) throws Exception {
    String[] args = translate(tmp);
    args[3] += ",key-secret=my-secret";
    String err = JobTest.line(args).exits(2).runOnce().stderr;
    assertTrue(err.contains("projects/P/secrets/S/versions/V"), err);
  }
}
