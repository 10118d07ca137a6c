package dev.tarjama.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.models.openai.ModelsProbe;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.transforms.backend.BackendSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * What {@code tarjama translate} checks before any pipeline starts, so that a user's mistake costs
 * a one-line message and exit 2 instead of a stack trace, a leftover run marker or money: the
 * input matches files (a directory means its supported files), a finished output is not replaced
 * by another input's run unless {@code --overwrite} says so, and every API backend answers {@code
 * GET /v1/models} with the key accepted and the model listed.
 */
final class TranslatePreflight {
  /** File names the reader takes when {@code --input} is a directory. */
  static final List<String> SUPPORTED =
      List.of(".jsonl", ".jsonl.gz", ".jsonl.zst", ".json", ".json.gz", ".parquet");

  /** A mistake of the user's: its message is the whole story. */
  static final class UserError extends Exception {
    private static final long serialVersionUID = 1L;

    UserError(String message) {
      super(message);
    }
  }

  private TranslatePreflight() {}

  /**
   * The input as the pipeline should read it: {@code input} itself when it names files, the
   * supported files under it when it is a local directory.
   */
  static String input(String input) throws UserError {
    if (input == null || input.isBlank()) {
      throw new UserError("give --input=FILE, a glob or a directory");
    }
    Path local = localPath(input);
    if (local != null && Files.isDirectory(local)) {
      try (Stream<Path> files = Files.walk(local)) {
        if (files.filter(Files::isRegularFile).noneMatch(TranslatePreflight::supported)) {
          throw new UserError("--input=" + input + " is a directory without supported files ("
              + String.join(", ", SUPPORTED) + ")");
        }
      } catch (IOException e) {
        throw new UserError("--input=" + input + " cannot be listed: " + e.getMessage());
      }
      String dir = input.endsWith("/") ? input : input + "/";
      return dir + "**.{" + String.join(",", SUPPORTED.stream().map(s -> s.substring(1)).toList())
          + "}";
    }
    MatchResult match;
    try {
      match = FileSystems.match(input);
    } catch (IOException | IllegalArgumentException e) {
      throw new UserError("--input=" + input + " cannot be matched: " + e.getMessage());
    }
    boolean any;
    try {
      any = match.status() == MatchResult.Status.OK && !match.metadata().isEmpty();
    } catch (IOException e) {
      any = false;
    }
    if (!any) {
      boolean glob = input.contains("*") || input.contains("?") || input.contains("[");
      throw new UserError("--input=" + input + (glob ? " matches no file" : ": no such file"));
    }
    return input;
  }

  private static boolean supported(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return SUPPORTED.stream().anyMatch(name::endsWith);
  }

  /** The local path of {@code input}, or null for another file system (gs://…). */
  private static Path localPath(String input) {
    if (input.startsWith("file:")) {
      input = input.substring("file:".length());
    } else if (input.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*")) {
      return null;
    }
    try {
      return Path.of(input);
    } catch (RuntimeException e) {
      return null; // a glob character the platform does not take in a path
    }
  }

  /**
   * Refuses to replace a finished run of another input: {@code output}'s report.json names the
   * input it was made from.
   */
  static void output(String output, String input, boolean overwrite) throws UserError {
    if (overwrite) {
      return;
    }
    JsonNode report;
    try {
      MatchResult match = FileSystems.match(output + "report.json");
      if (match.status() != MatchResult.Status.OK || match.metadata().isEmpty()) {
        return;
      }
      try (InputStream in =
          Channels.newInputStream(FileSystems.open(match.metadata().get(0).resourceId()))) {
        report = RecordJson.MAPPER.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      return; // no readable report: nothing finished to protect
    }
    String before = report.path("input").asText("");
    if (!before.equals(input)) {
      throw new UserError(output + " holds a finished run of --input=" + before
          + ": give --overwrite to replace it, or another --output");
    }
  }

  /**
   * Probes every API backend once; prints what could not be checked. Returns the backends with
   * what each server reports about its model, for the cache keys (one probe serves both).
   */
  static List<BackendSpec> probe(List<BackendSpec> backends, PrintStream out) throws UserError {
    List<BackendSpec> identified = new java.util.ArrayList<>(backends.size());
    for (BackendSpec backend : backends) {
      if (backend.isLocal() || (backend.isBatch() && !backend.batch().hasServer())) {
        identified.add(backend);
        continue;
      }
      try {
        ModelsProbe.Result result = ModelsProbe.probe(backend.config());
        if (!result.checked()) {
          out.println("tarjama translate: backend " + backend.name() + ": "
              + backend.config().baseUrl() + " has no GET /models; not probed");
        }
        identified.add(backend.withServerIdentity(result.identity()));
      } catch (ModelsProbe.ProbeException e) {
        throw new UserError("backend " + backend.name() + ": " + e.getMessage());
      }
    }
    return identified;
  }
}
