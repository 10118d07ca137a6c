package dev.tarjama.transforms.io;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * What one command writes under its output directory: one list of folders and files, from which
 * the writers take their paths ({@link #folder}, {@link #file}, {@link #jsonLines}: a name not in
 * the list is an error when the pipeline is built) and which {@link #clear} deletes before a run.
 * So a rerun or a {@code --resume} into the same directory replaces every output as a whole: no
 * folder of an earlier run's options (preferences/ after a run without {@code --reward-model}), no
 * file of another sharding beside the new ones. What is not in the list is left alone: the caches
 * ({@code _cache/}), batch state ({@code _batches/}), the unfinished-run marker, another
 * command's outputs. Through Beam FileSystems: local paths and {@code gs://} alike.
 */
public final class OutputLayout implements Serializable {
  /**
   * {@code tarjama translate} (and {@code demo}); with the output writer's temporary folder, which
   * a run that did not finish may leave behind.
   */
  public static final OutputLayout TRANSLATE = new OutputLayout(
      List.of("chosen", "candidates", "rejected", "dead_letter", "preferences", "reward_failures",
          "bilingual", "translator_training", "_summary", WriteOutputs.TEMPORARY),
      List.of("report.json", "report.md", "report.html", "README.md"));

  /** {@code tarjama judge}. */
  public static final OutputLayout JUDGE = new OutputLayout(
      List.of("accepted", "rejected", "undecided", "dead_letter", "_summary"),
      List.of("report.json", "report.md"));

  /** {@code tarjama evaluate}. */
  public static final OutputLayout EVALUATE = new OutputLayout(
      List.of("translations", "dead_letter", "_evaluate"), List.of("scores.json"));

  /** {@code tarjama sweep}. */
  public static final OutputLayout SWEEP = new OutputLayout(
      List.of("dead_letter", "_sweep"), List.of("sweep.csv", "sweep.md", "sweep.svg"));

  private final List<String> folders;
  private final List<String> files;

  private OutputLayout(List<String> folders, List<String> files) {
    this.folders = List.copyOf(folders);
    this.files = List.copyOf(files);
  }

  public List<String> folders() {
    return folders;
  }

  public List<String> files() {
    return files;
  }

  /** {@code directory/name/} for a folder of this command; {@code directory} ends with a slash. */
  public String folder(String directory, String name) {
    if (!folders.contains(name)) {
      throw new IllegalArgumentException(
          "'" + name + "' is not an output folder of this command " + folders);
    }
    return directory + name + "/";
  }

  /** {@code directory/name} for a top-level file of this command. */
  public String file(String directory, String name) {
    if (!files.contains(name)) {
      throw new IllegalArgumentException(
          "'" + name + "' is not an output file of this command " + files);
    }
    return directory + name;
  }

  /** JSON Lines files {@code directory/folder/part-…-of-N.jsonl}; {@code shards} 0: the runner's. */
  public TextIO.Write jsonLines(String directory, String folder, int shards) {
    TextIO.Write write = TextIO.write().to(folder(directory, folder) + "part").withSuffix(".jsonl");
    return shards > 0 ? write.withNumShards(shards) : write;
  }

  /** Deletes every folder and file of the list under {@code directory} (ends with a slash). */
  public void clear(String directory) throws IOException {
    List<ResourceId> gone = new ArrayList<>();
    for (String folder : folders) {
      MatchResult match = FileSystems.match(directory + folder + "/**");
      if (match.status() == MatchResult.Status.OK) {
        for (MatchResult.Metadata m : match.metadata()) {
          gone.add(m.resourceId());
        }
      }
    }
    for (String file : files) {
      gone.add(FileSystems.matchNewResource(directory + file, false));
    }
    FileSystems.delete(gone, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    for (String folder : folders) {
      deleteLocalFolder(directory + folder + "/");
    }
  }

  /**
   * Removes a local folder with whatever is left in it (sub-folders, files the match skipped), so
   * that a folder this run does not write is not there at all. Object stores have no directories:
   * the files deleted above were all there was.
   */
  private static void deleteLocalFolder(String folder) throws IOException {
    boolean fileUri = folder.startsWith("file:");
    if (!fileUri && folder.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*")) {
      return;
    }
    java.nio.file.Path path =
        java.nio.file.Path.of(fileUri ? java.net.URI.create(folder).getPath() : folder);
    if (!java.nio.file.Files.isDirectory(path)) {
      return;
    }
    try (var walk = java.nio.file.Files.walk(path)) {
      for (java.nio.file.Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        java.nio.file.Files.deleteIfExists(p);
      }
    }
  }
}
