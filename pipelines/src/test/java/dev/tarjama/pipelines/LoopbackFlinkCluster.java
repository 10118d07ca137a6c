package dev.tarjama.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Flink 1.19 session cluster on loopback: a JobManager and a TaskManager (2 slots) in two
 * JVM processes of their own, started from Flink's entrypoint classes (no flink-dist resolves
 * here) with the test classpath as theirs. Ready in about 15 s; {@link #close()} stops both. The
 * processes' logs stay under {@code target/flink-cluster/} for a post-mortem.
 */
final class LoopbackFlinkCluster implements AutoCloseable {
  static final Duration CLUSTER_START = Duration.ofSeconds(120);
  static final Duration PROCESS_STOP = Duration.ofSeconds(20);
  static final Path LOGS = Path.of("target", "flink-cluster");

  private final List<Process> processes = new ArrayList<>();
  private int restPort;

  private LoopbackFlinkCluster() {}

  /** Starts both processes and waits until the TaskManager has registered. */
  static LoopbackFlinkCluster start() throws Exception {
    LoopbackFlinkCluster cluster = new LoopbackFlinkCluster();
    long start = System.nanoTime();
    try {
      Files.createDirectories(LOGS);
      Path conf = Files.createDirectories(LOGS.resolve("conf"));
      Files.writeString(conf.resolve("config.yaml"), cluster.clusterConfig());
      cluster.processes.add(cluster.start(
          "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
          conf, "-Xmx512m", LOGS.resolve("jobmanager.log")));
      cluster.processes.add(cluster.start("org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
          conf, "-Xmx1280m", LOGS.resolve("taskmanager.log")));
      cluster.awaitRegisteredTaskManager();
    } catch (Throwable e) {
      cluster.printLogTails();
      cluster.close();
      throw e;
    }
    System.err.printf("Flink cluster on 127.0.0.1:%d ready in %d ms%n", cluster.restPort,
        (System.nanoTime() - start) / 1_000_000);
    return cluster;
  }

  /**
   * The options that submit a job here: the JobManager's REST address, parallelism 2, and only
   * the job's own classes staged (the TaskManager has the dependencies on its classpath; the
   * whole test classpath takes ~21 s to upload, this ~1 s).
   */
  List<String> submitOptions() throws Exception {
    return List.of("--runner=FlinkRunner", "--flinkMaster=127.0.0.1:" + restPort,
        "--parallelism=2", "--filesToStage=" + jobClasses());
  }

  @Override
  public void close() {
    stopProcesses();
  }

  /** Loopback only, free ports, and every TaskManager memory option set: no flink-dist scripts
   *  compute them here. Parent-first class loading: the staged job classes are on the
   *  TaskManager's classpath already, one copy of each class. */
  private String clusterConfig() throws IOException {
    restPort = freePort();
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("jobmanager.rpc.address", "127.0.0.1");
    c.put("jobmanager.rpc.port", freePort());
    c.put("jobmanager.bind-host", "127.0.0.1");
    c.put("jobmanager.memory.process.size", "1024m");
    c.put("rest.address", "127.0.0.1");
    c.put("rest.bind-address", "127.0.0.1");
    c.put("rest.port", restPort);
    c.put("blob.server.port", freePort());
    c.put("taskmanager.host", "127.0.0.1");
    c.put("taskmanager.bind-host", "127.0.0.1");
    c.put("taskmanager.rpc.port", freePort());
    c.put("taskmanager.data.port", freePort());
    c.put("taskmanager.numberOfTaskSlots", 2);
    c.put("parallelism.default", 2);
    c.put("taskmanager.cpu.cores", 2);
    c.put("taskmanager.memory.framework.heap.size", "128m");
    c.put("taskmanager.memory.task.heap.size", "1024m");
    c.put("taskmanager.memory.framework.off-heap.size", "128m");
    c.put("taskmanager.memory.task.off-heap.size", "256m");
    c.put("taskmanager.memory.managed.size", "256m");
    // The batch translation runs many blocking (sort-merge) shuffles at once, each taking
    // sort-shuffle.min-buffers (default 512) of the network memory: 8192 buffers were too few.
    c.put("taskmanager.network.sort-shuffle.min-buffers", 64);
    c.put("taskmanager.memory.network.min", "256m");
    c.put("taskmanager.memory.network.max", "256m");
    c.put("taskmanager.memory.jvm-metaspace.size", "256m");
    c.put("taskmanager.memory.jvm-overhead.min", "192m");
    c.put("taskmanager.memory.jvm-overhead.max", "192m");
    c.put("classloader.resolve-order", "parent-first");
    c.put("io.tmp.dirs", LOGS.resolve("tmp").toAbsolutePath().toString());
    StringBuilder yaml = new StringBuilder();
    c.forEach((k, v) -> yaml.append(k).append(": ").append(v).append('\n'));
    return yaml.toString();
  }

  /** One Flink process; the classpath goes through CLASSPATH: a long -cp command line crashes
   *  ONNX Runtime 1.28's JVM (BUILD-NOTES). */
  private Process start(String mainClass, Path conf, String heap, Path log)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), heap,
        // What Flink's own scripts pass on Java 17 for its Kryo and reflection.
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.util=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-opens=java.base/java.io=ALL-UNNAMED",
        "--add-opens=java.base/java.net=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
        "--add-opens=java.base/java.time=ALL-UNNAMED",
        "-Dai.djl.offline=true",
        // INFO: the logs under target/ show job submission and task states for a post-mortem.
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
        mainClass, "--configDir", conf.toAbsolutePath().toString()));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().put("CLASSPATH", System.getProperty("java.class.path"));
    return builder.start();
  }

  private void awaitRegisteredTaskManager() throws Exception {
    long deadline = System.nanoTime() + CLUSTER_START.toNanos();
    while (System.nanoTime() < deadline) {
      for (Process p : processes) {
        if (!p.isAlive()) {
          throw new IllegalStateException(
              "a Flink process exited with " + p.exitValue() + " before the cluster was ready");
        }
      }
      try {
        JsonNode tms = rest("/taskmanagers").get("taskmanagers");
        if (tms != null && tms.size() > 0) {
          return;
        }
      } catch (IOException notYetListening) {
        // The REST endpoint is not up yet.
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException(
        "no TaskManager registered with the JobManager within " + CLUSTER_START);
  }

  /** How many jobs the cluster has finished: a run that finished elsewhere adds none. */
  int finishedJobs() throws Exception {
    int finished = 0;
    for (JsonNode job : rest("/jobs").get("jobs")) {
      if ("FINISHED".equals(job.get("status").asText())) {
        finished++;
      }
    }
    return finished;
  }

  private JsonNode rest(String path) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpResponse<String> response = client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + restPort + path))
            .timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    return new ObjectMapper().readTree(response.body());
  }

  private void stopProcesses() {
    // TaskManager first, so it does not retry a vanished JobManager.
    for (int i = processes.size() - 1; i >= 0; i--) {
      Process p = processes.get(i);
      p.destroy();
      try {
        if (!p.waitFor(PROCESS_STOP.toSeconds(), TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(PROCESS_STOP.toSeconds(), TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    processes.clear();
  }

  /** The last lines of both processes' logs, for a post-mortem of a failed run. */
  void printLogTails() {
    for (String name : List.of("jobmanager.log", "taskmanager.log")) {
      Path log = LOGS.resolve(name);
      try {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        System.err.println("---- last lines of " + log.toAbsolutePath() + " ----");
        lines.subList(Math.max(0, lines.size() - 60), lines.size()).forEach(System.err::println);
      } catch (IOException e) {
        System.err.println("---- " + log + " unreadable: " + e);
      }
    }
  }

  /** The folder holding the job's own compiled classes (Beam zips it into the staged jar). */
  private static String jobClasses() throws Exception {
    return Path.of(Tarjama.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
