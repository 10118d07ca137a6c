package dev.tarjama.transforms.batch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.models.openai.OpenAiBatchApi;
import dev.tarjama.transforms.backend.BackendSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Batch files through an OpenAI batch API: upload ({@code purpose=batch}), create (24 h window),
 * poll, download the output and error files. The states: {@code validating}, {@code
 * in_progress}, {@code finalizing}, {@code cancelling} are on the way; {@code completed}, {@code
 * failed}, {@code expired}, {@code cancelled} are final.
 */
final class OpenAiTransport implements BatchJobs.Transport {
  static final Set<String> FINAL = Set.of("completed", "failed", "expired", "cancelled");

  private final BackendSpec backend;
  private transient OpenAiBatchApi api;
  private String lastError = "";

  OpenAiTransport(BackendSpec backend) {
    this.backend = backend;
  }

  private OpenAiBatchApi api() {
    if (api == null) {
      api = OpenAiBatchApi.create(backend.config());
    }
    return api;
  }

  @Override
  public void submit(BatchState.Batch b, Path file, Runnable save) {
    if (b.inputFileId.isEmpty()) {
      byte[] content;
      try {
        content = Files.readAllBytes(file);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
      b.inputFileId = api().uploadBatchFile(file.getFileName().toString(), content);
      save.run();
    }
    JsonNode created =
        api().createBatch(b.inputFileId, "/v1/" + backend.config().endpoint().path());
    b.id = created.path("id").asText();
    b.status = created.path("status").asText("validating");
  }

  @Override
  public boolean poll(BatchState.Batch b) {
    JsonNode batch = api().batch(b.id);
    b.status = batch.path("status").asText("");
    b.outputFileId = text(batch.get("output_file_id"));
    b.errorFileId = text(batch.get("error_file_id"));
    StringBuilder errors = new StringBuilder();
    for (JsonNode e : batch.path("errors").path("data")) {
      errors.append(errors.length() == 0 ? "" : "; ")
          .append(e.path("code").asText("")).append(' ').append(e.path("message").asText(""));
    }
    lastError = errors.toString().strip();
    return FINAL.contains(b.status);
  }

  private static String text(JsonNode node) {
    return node == null || node.isNull() ? "" : node.asText();
  }

  @Override
  public List<String> output(BatchState.Batch b) {
    return lines(b.outputFileId);
  }

  @Override
  public List<String> errors(BatchState.Batch b) {
    return lines(b.errorFileId);
  }

  private List<String> lines(String fileId) {
    if (fileId.isEmpty()) {
      return List.of();
    }
    return api().fileContent(fileId).lines().filter(l -> !l.isBlank()).toList();
  }

  @Override
  public String batchError(BatchState.Batch b) {
    return lastError;
  }

  @Override
  public boolean canWait() {
    return true;
  }

  @Override
  public String waiting(List<BatchState.Batch> out) {
    StringBuilder s = new StringBuilder("backend " + backend.name() + ": " + out.size()
        + " batch(es) still running (");
    for (int i = 0; i < out.size(); i++) {
      s.append(i == 0 ? "" : ", ").append(out.get(i).id).append(' ').append(out.get(i).status);
    }
    return s.append("); run the same command with --resume to collect them").toString();
  }
}
