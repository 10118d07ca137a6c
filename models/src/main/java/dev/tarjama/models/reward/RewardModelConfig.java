package dev.tarjama.models.reward;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tarjama.models.onnx.ExecutionProvider;
import dev.tarjama.models.onnx.ModelLoadException;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;

/**
 * Which reward model to load and how to feed it. Immutable; {@code with…} methods return a copy;
 * equal configurations share one loaded model per JVM.
 *
 * <p>A reward-model directory holds:
 *
 * <ul>
 *   <li>{@value #MODEL}: an ONNX sequence-classification export with a scalar head, inputs {@code
 *       input_ids} and {@code attention_mask} [batch, sequence] int64 (and optionally {@code
 *       position_ids}), output {@code logits} [batch, 1] (what {@code optimum-cli export onnx
 *       --task text-classification} writes for a one-label model);
 *   <li>{@value #TOKENIZER}: its Hugging Face tokenizer;
 *   <li>{@value #SETTINGS} (optional): {@code template} (a {@link ChatTemplate}, default {@link
 *       ChatTemplate#QWEN}), {@code max_tokens} (default {@value #DEFAULT_MAX_TOKENS}), {@code
 *       truncation_side} ({@code left}, the default, or {@code right}) and {@code pad_token_id}
 *       (default: {@code pad_token_id} of the export's {@code config.json}, else 0).
 * </ul>
 *
 * @param modelDir the directory (absolute, normalized)
 * @param provider CPU (default) or CUDA
 * @param cudaDeviceId the CUDA device ordinal when {@code provider} is CUDA
 * @param intraOpThreads ONNX Runtime intra-op threads; 0 = ONNX Runtime's default
 * @param template how a pair is written out
 * @param maxTokens the longest sequence the model is given
 * @param truncationSide which end of a longer sequence is cut
 * @param padTokenId the id batches are padded with (right padding, attention mask 0)
 */
public record RewardModelConfig(
    String modelDir,
    ExecutionProvider provider,
    int cudaDeviceId,
    int intraOpThreads,
    ChatTemplate template,
    int maxTokens,
    TruncationSide truncationSide,
    long padTokenId)
    implements Serializable {

  public static final String MODEL = "model.onnx";
  public static final String TOKENIZER = "tokenizer.json";
  public static final String SETTINGS = "reward_config.json";
  public static final int DEFAULT_MAX_TOKENS = 2048;

  private static final Set<String> KNOWN =
      Set.of("template", "max_tokens", "truncation_side", "pad_token_id");

  public RewardModelConfig {
    modelDir = Path.of(modelDir).toAbsolutePath().normalize().toString();
    if (provider == null || template == null || truncationSide == null) {
      throw new IllegalArgumentException("provider, template and truncation side must be set");
    }
    if (cudaDeviceId < 0 || intraOpThreads < 0) {
      throw new IllegalArgumentException("device id and thread count must not be negative");
    }
    if (maxTokens < 8) {
      throw new IllegalArgumentException("max_tokens must be at least 8, not " + maxTokens);
    }
  }

  /**
   * The reward model in {@code dir} on CPU, with the settings of its {@value #SETTINGS} (defaults
   * where it has none).
   *
   * @throws ModelLoadException naming the settings file when it does not parse or has an unknown
   *     or invalid entry
   */
  public static RewardModelConfig of(Path dir) {
    ChatTemplate template = ChatTemplate.QWEN;
    int maxTokens = DEFAULT_MAX_TOKENS;
    TruncationSide side = TruncationSide.LEFT;
    long pad = padFromModelConfig(dir);
    Path file = dir.resolve(SETTINGS);
    if (Files.isRegularFile(file)) {
      try {
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        if (json == null || !json.isObject()) {
          throw new ModelLoadException(file, "not a JSON object");
        }
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
          String name = names.next();
          if (!KNOWN.contains(name)) {
            throw new ModelLoadException(
                file, "unknown setting '" + name + "'; known: " + new java.util.TreeSet<>(KNOWN));
          }
        }
        if (json.has("template")) {
          template = ChatTemplate.of(json.get("template").asText());
        }
        if (json.has("max_tokens")) {
          maxTokens = json.get("max_tokens").asInt();
        }
        if (json.has("truncation_side")) {
          side = TruncationSide.parse(json.get("truncation_side").asText());
        }
        if (json.has("pad_token_id")) {
          pad = json.get("pad_token_id").asLong();
        }
        return new RewardModelConfig(
            dir.toString(), ExecutionProvider.CPU, 0, 0, template, maxTokens, side, pad);
      } catch (IOException | IllegalArgumentException e) {
        throw new ModelLoadException(file, e.getMessage(), e);
      }
    }
    return new RewardModelConfig(
        dir.toString(), ExecutionProvider.CPU, 0, 0, template, maxTokens, side, pad);
  }

  private static long padFromModelConfig(Path dir) {
    Path config = dir.resolve("config.json");
    if (Files.isRegularFile(config)) {
      try {
        JsonNode pad = new ObjectMapper().readTree(config.toFile()).get("pad_token_id");
        if (pad != null && pad.canConvertToLong()) {
          return pad.asLong();
        }
      } catch (IOException e) {
        throw new ModelLoadException(config, "does not parse: " + e.getMessage(), e);
      }
    }
    return 0;
  }

  public Path path() {
    return Path.of(modelDir);
  }

  public RewardModelConfig withProvider(ExecutionProvider provider) {
    return new RewardModelConfig(
        modelDir, provider, cudaDeviceId, intraOpThreads, template, maxTokens, truncationSide,
        padTokenId);
  }

  public RewardModelConfig withIntraOpThreads(int threads) {
    return new RewardModelConfig(
        modelDir, provider, cudaDeviceId, threads, template, maxTokens, truncationSide, padTokenId);
  }

  public RewardModelConfig withMaxTokens(int value) {
    return new RewardModelConfig(
        modelDir, provider, cudaDeviceId, intraOpThreads, template, value, truncationSide,
        padTokenId);
  }

  public RewardModelConfig withTruncationSide(TruncationSide value) {
    return new RewardModelConfig(
        modelDir, provider, cudaDeviceId, intraOpThreads, template, maxTokens, value, padTokenId);
  }

  /** A key that names everything that changes the loaded session or what it is fed. */
  public String key() {
    return modelDir + "|" + provider.cliName() + ":" + cudaDeviceId + "|" + intraOpThreads + "|"
        + maxTokens + "|" + truncationSide.cliName() + "|" + padTokenId + "|" + template.template();
  }
}
