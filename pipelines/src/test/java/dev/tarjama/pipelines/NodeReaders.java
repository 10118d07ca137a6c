package dev.tarjama.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.io.RecordJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Third-party readers of the outputs, from npm: DuckDB ({@code @duckdb/node-api}) and hyparquet,
 * pinned by {@code src/test/node/package-lock.json} and installed with {@code npm ci} into {@code
 * target/node-readers/} the first time a test needs them (npm's own cache keeps later installs
 * offline-fast). Needs {@code node} and {@code npm} on the PATH.
 */
final class NodeReaders {
  private static final Path SOURCE = Path.of("src/test/node");
  private static final Path HOME = Path.of("target/node-readers");

  private NodeReaders() {}

  /** Runs {@code read-outputs.mjs} on {@code spec} and returns what it printed. */
  static JsonNode read(ObjectNode spec) throws Exception {
    install();
    Path file = Files.createTempFile("read-outputs", ".json");
    Files.writeString(file, spec.toString());
    String out = run(List.of("node", HOME.resolve("read-outputs.mjs").toString(), file.toString()),
        Path.of("."), 120);
    String[] lines = out.strip().split("\n");
    return RecordJson.parse(lines[lines.length - 1]);
  }

  private static synchronized void install() throws Exception {
    Files.createDirectories(HOME);
    boolean same = Files.exists(HOME.resolve("package-lock.json"))
        && Files.mismatch(HOME.resolve("package-lock.json"),
            SOURCE.resolve("package-lock.json")) == -1;
    for (String f : List.of("package.json", "package-lock.json", "read-outputs.mjs")) {
      Files.copy(SOURCE.resolve(f), HOME.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    if (!same || !Files.isDirectory(HOME.resolve("node_modules/@duckdb/node-api"))
        || !Files.isDirectory(HOME.resolve("node_modules/hyparquet"))) {
      run(List.of("npm", "ci", "--no-audit", "--no-fund"), HOME, 600);
    }
  }

  private static String run(List<String> command, Path dir, int seconds)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile("node-readers", ".log");
    Process p = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(command + " did not finish in " + seconds + " s");
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException(command + " exited " + p.exitValue() + ":\n" + out);
    }
    return out;
  }
}
