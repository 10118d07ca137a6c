package dev.tarjama.transforms.batch;

import dev.tarjama.transforms.backend.BackendSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Batch files for a local engine ({@code vllm run-batch -i DIR/requests-NNNN.jsonl -o
 * DIR/results-NNNN.jsonl}): "submitting" writes the request file; a batch is final once its
 * results file is there. vLLM writes failed requests into the same file (a non-200 {@code
 * status_code} or an {@code error}), so there is no error file. A results file still being
 * written reads as lines missing, which are submitted again: run the command again once the
 * engine has finished.
 */
final class FileTransport implements BatchJobs.Transport {
  private final BackendSpec backend;

  FileTransport(BackendSpec backend) {
    this.backend = backend;
  }

  static String resultsFile(String requestFile) {
    return requestFile.replaceFirst("^requests-", "results-");
  }

  private Path dir() {
    return Path.of(backend.batch().path());
  }

  @Override
  public void submit(BatchState.Batch b, Path file, Runnable save) {
    b.inputFileId = b.file;
    b.id = b.file;
    b.status = "written";
  }

  @Override
  public boolean poll(BatchState.Batch b) {
    if (Files.exists(dir().resolve(resultsFile(b.file)))) {
      b.status = "completed";
      return true;
    }
    return false;
  }

  @Override
  public List<String> output(BatchState.Batch b) {
    return BatchJobs.readLines(dir().resolve(resultsFile(b.file)));
  }

  @Override
  public List<String> errors(BatchState.Batch b) {
    return List.of();
  }

  @Override
  public String batchError(BatchState.Batch b) {
    return "";
  }

  @Override
  public boolean canWait() {
    return false;
  }

  @Override
  public String waiting(List<BatchState.Batch> out) {
    StringBuilder s = new StringBuilder("backend " + backend.name() + ": run the engine over "
        + out.size() + " request file(s), e.g.");
    for (BatchState.Batch b : out) {
      s.append("\n  vllm run-batch -i ").append(dir().resolve(b.file)).append(" -o ")
          .append(dir().resolve(resultsFile(b.file))).append(" --model ")
          .append(backend.config().model());
    }
    return s.append("\nthen run the same command with --resume").toString();
  }
}
