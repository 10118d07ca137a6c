package dev.tarjama.transforms.backend;

import dev.tarjama.models.onnx.ExecutionProvider;
import dev.tarjama.models.local.Decoding;
import dev.tarjama.transforms.inference.Batching;
import java.io.Serializable;
import java.util.Objects;

/**
 * A local translation model as a {@code kind=local} backend names it: the model directory (as the
 * workers see it), where it runs, how it decodes, how its inputs are batched, and how many batches
 * of one length may run at once ({@code shards}, see {@link
 * dev.tarjama.transforms.inference.RunInference#withShards}).
 */
public record LocalModelConfig(
    String path, ExecutionProvider provider, Decoding decoding, Batching batching, int shards)
    implements Serializable {

  public LocalModelConfig {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(decoding, "decoding");
    Objects.requireNonNull(batching, "batching");
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be at least 1, not " + shards);
    }
  }

  /** Greedy decoding on the CPU, default batching, one shard. */
  public static LocalModelConfig of(String path) {
    return new LocalModelConfig(path, ExecutionProvider.CPU, Decoding.greedy(), Batching.DEFAULT, 1);
  }

  public LocalModelConfig withProvider(ExecutionProvider value) {
    return new LocalModelConfig(path, value, decoding, batching, shards);
  }

  public LocalModelConfig withDecoding(Decoding value) {
    return new LocalModelConfig(path, provider, value, batching, shards);
  }

  public LocalModelConfig withBatching(Batching value) {
    return new LocalModelConfig(path, provider, decoding, value, shards);
  }

  public LocalModelConfig withShards(int value) {
    return new LocalModelConfig(path, provider, decoding, batching, value);
  }
}
