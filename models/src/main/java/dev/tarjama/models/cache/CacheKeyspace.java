package dev.tarjama.models.cache;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything about one backend that decides what it returns for a text, fixed once per backend;
 * {@link #key} adds the candidate index and the text.
 *
 * <p>The key is SHA-256 over this byte string (format version 1), the same on every JVM and
 * platform:
 *
 * <pre>
 *   field("tarjama.translation-cache.v1")
 *   field(backend id)        the protocol: openai-chat, openai-completions, local
 *   field(model)             the API model name, or a local model's directory
 *   field(prompt template)   the template text with {text} unfilled, languages filled in
 *   field(decoding)          "name=value" lines sorted by name, joined by "\n"; extra request
 *                            fields (vLLM's chat_template_kwargs, top_k, …) are the line
 *                            "extra_body=" + their canonical JSON (ExtraBody), absent when none
 *   field(candidate)         the candidate index 0…k-1 in decimal
 *   field(text)              the chunk text, placeholders ⟦n⟧ included
 *   where field(s) = 4-byte big-endian length of UTF-8(s), then UTF-8(s)
 * </pre>
 *
 * <p>Length prefixes keep field boundaries unambiguous ("ab"+"c" differs from "a"+"bc"). The
 * server URL, the backend's name and its label are deliberately left out: the same model served
 * elsewhere, or renamed in a report, returns the same translations. Decoding parameters include
 * every sampling setting and the base seed, so a seeded candidate i is keyed by seed and index.
 */
public final class CacheKeyspace implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The first field of every key: a new key format gets a new version and never collides. */
  public static final String FORMAT = "tarjama.translation-cache.v1";

  private final String backendId;
  private final String model;
  private final String promptTemplate;
  private final String decoding;

  private transient MessageDigest prefix;

  private CacheKeyspace(String backendId, String model, String promptTemplate, String decoding) {
    this.backendId = backendId;
    this.model = model;
    this.promptTemplate = promptTemplate;
    this.decoding = decoding;
  }

  /**
   * The keyspace of a backend.
   *
   * @param backendId the protocol, e.g. {@code openai-chat}
   * @param model the model name or directory
   * @param promptTemplate the prompt template ({@code ""} for a model that takes no prompt)
   * @param decoding decoding parameters by name; a value that is unset should be given as a
   *     fixed word (e.g. {@code default}) rather than left out, so that setting it changes the key
   */
  public static CacheKeyspace of(
      String backendId, String model, String promptTemplate, Map<String, String> decoding) {
    Objects.requireNonNull(backendId, "backendId");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(promptTemplate, "promptTemplate");
    StringBuilder canonical = new StringBuilder();
    for (Map.Entry<String, String> e : new TreeMap<>(decoding).entrySet()) {
      if (e.getKey().contains("=") || e.getKey().contains("\n")
          || e.getValue().contains("\n")) {
        throw new IllegalArgumentException(
            "decoding parameter names and values must not hold '=' or line breaks: " + e);
      }
      if (canonical.length() > 0) {
        canonical.append('\n');
      }
      canonical.append(e.getKey()).append('=').append(e.getValue());
    }
    return new CacheKeyspace(backendId, model, promptTemplate, canonical.toString());
  }

  /** The key of candidate {@code candidate} of {@code text}. Thread-safe. */
  public CacheKey key(int candidate, String text) {
    if (candidate < 0) {
      throw new IllegalArgumentException("candidate index must be >= 0: " + candidate);
    }
    MessageDigest digest;
    try {
      digest = (MessageDigest) prefix().clone();
    } catch (CloneNotSupportedException e) {
      digest = newPrefix();
    }
    field(digest, Integer.toString(candidate));
    field(digest, text);
    return new CacheKey(digest.digest());
  }

  /** The decoding parameters as they enter the key. */
  public String decoding() {
    return decoding;
  }

  /** Backend id and model, for messages. */
  public String describe() {
    return backendId + " " + model;
  }

  private MessageDigest prefix() {
    MessageDigest p = prefix;
    if (p == null) {
      p = newPrefix();
      prefix = p;
    }
    return p;
  }

  private MessageDigest newPrefix() {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    field(digest, FORMAT);
    field(digest, backendId);
    field(digest, model);
    field(digest, promptTemplate);
    field(digest, decoding);
    return digest;
  }

  private static void field(MessageDigest digest, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    digest.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
    digest.update(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CacheKeyspace k
        && backendId.equals(k.backendId)
        && model.equals(k.model)
        && promptTemplate.equals(k.promptTemplate)
        && decoding.equals(k.decoding);
  }

  @Override
  public int hashCode() {
    return Objects.hash(backendId, model, promptTemplate, decoding);
  }

  @Override
  public String toString() {
    return "CacheKeyspace{" + backendId + ", " + model + ", " + decoding.replace('\n', ',') + "}";
  }
}
