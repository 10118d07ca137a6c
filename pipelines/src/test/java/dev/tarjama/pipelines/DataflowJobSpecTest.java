package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.models.testing.DataKit;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.runners.dataflow.DataflowRunner;
import org.apache.beam.runners.dataflow.options.DataflowPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dataflow as far as it can be proven without GCP: {@code tarjama translate
 * --runner=DataflowRunner --templateLocation=…} builds the job spec offline (no-op path
 * validation and credentials, local staging) and the spec carries every stage of the data path,
 * the GPU accelerator service option and the custom SDK container image.
 */
class DataflowJobSpecTest {
  static final String IMAGE = "us-docker.pkg.dev/test/tarjama/beam-java17-cuda:2.70.0";
  static final String ACCELERATOR = "worker_accelerator=type:nvidia-l4;count:1;install-nvidia-driver";
  static final List<String> STAGES =
      List.of("Read", "Normalize", "Segment", "Chunk", "Translate", "Reassemble", "Score", "Rank",
          "Write");

  /** translate with one backend, writing the Dataflow job spec to {@code spec} offline. */
  static String[] jobSpecArgs(Path tmp, Path spec, String backend) throws Exception {
    Path staging = Files.createDirectories(tmp.resolve("staging"));
    // Staging the whole test classpath (~700 MB) would copy it: one small file stands in.
    Path stagedFile = Files.writeString(tmp.resolve("tarjama-stub.txt"), "staged");
    String input = DataKit.data(FlinkRunnerTest.GSM8K_THINK).toString();
    return new String[] {
        "translate",
        "--input=" + input,
        "--output=gs://tarjama-test/out",
        "--tokenizer=" + JobTest.QWEN3,
        backend,
        "--runner=DataflowRunner",
        "--project=test",
        "--region=us-central1",
        "--templateLocation=" + spec,
        "--stagingLocation=" + staging,
        "--tempLocation=" + staging,
        "--filesToStage=" + stagedFile,
        "--pathValidatorClass=org.apache.beam.sdk.extensions.gcp.storage.NoopPathValidator",
        "--credentialFactoryClass=org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory",
        "--dataflowServiceOptions=" + ACCELERATOR,
        "--sdkContainerImage=" + IMAGE};
  }

  @Test
  void jobSpecHasEveryStageTheGpuAndTheContainer(@TempDir Path tmp) throws Exception {
    Path spec = tmp.resolve("job.json");
    JobTest.line(jobSpecArgs(tmp, spec,
        "--backend=name=gemma,kind=openai-chat,url=http://127.0.0.1:9/v1,model=gemma-3-27b,"
            + "prompt=hala,k=1")).runOnce();

    JsonNode job = RecordJson.parse(Files.readString(spec));
    List<String> steps = new ArrayList<>();
    for (JsonNode step : job.path("steps")) {
      steps.add(step.path("properties").path("user_name").path("value").asText());
    }
    for (String stage : STAGES) {
      assertTrue(
          steps.stream().anyMatch(name -> name.equals(stage) || name.startsWith(stage + "/")),
          "no step of " + stage + " in " + steps);
    }
    JsonNode environment = job.path("environment");
    assertEquals(ACCELERATOR, environment.path("serviceOptions").path(0).asText());
    JsonNode workers = environment.path("workerPools").path(0);
    assertEquals(IMAGE, workers.path("sdkHarnessContainerImages").path(0).path("containerImage").asText());
    assertEquals(IMAGE, workers.path("workerHarnessContainerImage").asText());
    // The output stays a gs:// path: Beam FileSystems resolve it on the workers.
    assertEquals(
        "gs://tarjama-test/out",
        environment.path("sdkPipelineOptions").path("options").path("output").asText());
  }

  /**
   * A key for Dataflow comes from Secret Manager on the worker: the job spec names the secret
   * version, and the launcher never reads its value (a loopback stand-in for Secret Manager and
   * the metadata server would hand it out, and is never asked).
   */
  @Test
  void aKeySecretTravelsInTheJobSpecAsItsNameOnly(@TempDir Path tmp) throws Exception {
    String secret = "projects/tarjama-test/secrets/gemma-key/versions/3";
    String value = "sk-value-only-the-workers-may-read";
    AtomicInteger asked = new AtomicInteger();
    HttpServer gcp = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    gcp.createContext("/", exchange -> {
      asked.incrementAndGet();
      byte[] body = ("{\"access_token\": \"t\", \"payload\": {\"data\": \""
          + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)) + "\"}}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    gcp.start();
    String base = "http://127.0.0.1:" + gcp.getAddress().getPort();
    System.setProperty("tarjama.secretmanager.url", base + "/v1/");
    System.setProperty("tarjama.gcp.token.url", base + "/token");
    Path spec = tmp.resolve("job.json");
    try {
      JobTest.line(jobSpecArgs(tmp, spec,
          "--backend=name=gemma,kind=openai-chat,url=https://api.example.com/v1,model=gemma-3-27b,"
              + "prompt=hala,k=1,key-secret=" + secret)).runOnce();
    } finally {
      System.clearProperty("tarjama.secretmanager.url");
      System.clearProperty("tarjama.gcp.token.url");
      gcp.stop(0);
    }
    String job = Files.readString(spec);
    assertTrue(job.contains("key-secret=" + secret), "the spec names the secret");
    assertFalse(job.contains(value), "the secret's value is in the job spec");
    assertFalse(job.contains(Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))));
    assertEquals(0, asked.get(), "the launcher read the secret: only workers may");
  }

  @Test
  void dataflowGpuOptionsFileAsksForAnL4WorkerAndTheCudaContainer() {
    String file = "@" + FlinkRunnerTest.RUNNERS_CONFIG.resolve("dataflow-gpu/dataflow-gpu.options");
    CommandLine line = CommandLine.parse(new String[] {file}, "backend");
    DataflowPipelineOptions options =
        PipelineOptionsFactory.fromArgs(line.beamArgs).as(DataflowPipelineOptions.class);
    assertEquals(DataflowRunner.class, options.getRunner());
    assertEquals(List.of(ACCELERATOR), options.getDataflowServiceOptions());
    // L4 GPUs come only with G2 machine types.
    assertTrue(options.getWorkerMachineType().startsWith("g2-"), options.getWorkerMachineType());
    assertTrue(options.getSdkContainerImage().contains("cuda"), options.getSdkContainerImage());
  }
}
