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
 * <p>The key is SHA-256 over this byte string (format version 2), the same on every JVM and
 * platform:
 *
 * <pre>
 *   field("tarjama.translation-cache.v2")
 *   field(backend id)        the protocol: openai-chat, openai-completions, local
 *   field(model)             the API model name, or a local model's directory
 *   field(model identity)    what identifies the model beyond its name ("" when nothing does):
 *                            for a local model "weights-sha256=HEX" of its files, for a server
 *                            the id (and root) it reports on GET /v1/models and the user's
 *                            model-version=, as "name=value" lines sorted by name
 *   field(prompt template)   the template text with {text} unfilled, languages filled in
 *   field(decoding)          "name=value" lines sorted by name, joined by "\n"; extra request
 *                            fields (vLLM's chat_template_kwargs, top_k, …) are the line
 *                            "extra_body=" + their canonical JSON (ExtraBody), absent when none
 *   field(candidate)         the candidate index 0…k-1 in decimal
 *   field(text)              the chunk text, placeholders ⟦n⟧ included
 *   where field(s) = 4-byte big-endian length of UTF-8(s), then UTF-8(s)
 * </pre>
 *
 * <p>Every new kind of request setting (extra body fields, a truncation retry's decoding, batch
 * requests) enters through the decoding lines or a new format version, never by reusing a key.
 *
 * <p><b>The previous release (format version 1)</b> keyed the same bytes without the model
 * identity field, under {@code "tarjama.translation-cache.v1"} ({@link #legacyKey}). Its entries
 * still answer, through {@link CompatibleLookup}, when nothing that identifies the model has
 * changed: the first time this release uses a version-1 keyspace in a cache it records the model
 * identity it sees under {@link #attestationKey} (an entry whose text is the identity), and
 * version-1 entries answer only while the identity is the recorded one. The recorded identity
 * stands for what the version-1 entries were written with: weights replaced in the same release
 * upgrade that first reads them cannot be told apart (nothing in a version-1 entry says which
 * weights made it), every later change can.</p>
 *
 * <p>Length prefixes keep field boundaries unambiguous ("ab"+"c" differs from "a"+"bc"). The
 * server URL, the backend's name and its label are deliberately left out: the same model served
 * elsewhere, or renamed in a report, returns the same translations. Decoding parameters include
 * every sampling setting and the base seed, so a seeded candidate i is keyed by seed and index.
 */
public final class CacheKeyspace implements Serializable {
  private static final long serialVersionUID = 2L;

  /** The first field of every key: a new key format gets a new version and never collides. */
  public static final String FORMAT = "tarjama.translation-cache.v2";

  /** The previous release's first field: {@link #legacyKey} rebuilds its keys byte for byte. */
  public static final String LEGACY_FORMAT = "tarjama.translation-cache.v1";

  /** The first field of an attestation key (see the class comment). */
  static final String ATTESTATION_FORMAT = "tarjama.translation-cache.v1-attestation";

  private final String backendId;
  private final String model;
  private final String promptTemplate;
  private final String decoding;
  private final String modelIdentity;

  private transient MessageDigest prefix;
  private transient MessageDigest legacyPrefix;

  private CacheKeyspace(
      String backendId, String model, String modelIdentity, String promptTemplate,
      String decoding) {
    this.backendId = backendId;
    this.model = model;
    this.modelIdentity = modelIdentity;
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
    return new CacheKeyspace(backendId, model, "", promptTemplate, lines(decoding));
  }

  /**
   * This keyspace for the model identified by {@code identity} (name=value pairs, e.g. {@code
   * weights-sha256}, {@code server-id}, {@code model-version}; values empty or absent are left
   * out).
   */
  public CacheKeyspace withModelIdentity(Map<String, String> identity) {
    Map<String, String> present = new TreeMap<>();
    identity.forEach((k, v) -> {
      if (v != null && !v.isEmpty()) {
        present.put(k, v);
      }
    });
    return new CacheKeyspace(backendId, model, lines(present), promptTemplate, decoding);
  }

  /** What identifies the model beyond its name, as it enters the key ("" when nothing does). */
  public String modelIdentity() {
    return modelIdentity;
  }

  private static String lines(Map<String, String> decoding) {
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
    return canonical.toString();
  }

  /** The key of candidate {@code candidate} of {@code text}. Thread-safe. */
  public CacheKey key(int candidate, String text) {
    return complete(prefix(), false, candidate, text);
  }

  /**
   * The key the previous release (format version 1) gave candidate {@code candidate} of {@code
   * text}: the same fields without the model identity. Only {@link CompatibleLookup} reads it.
   */
  public CacheKey legacyKey(int candidate, String text) {
    return complete(legacyPrefix(), true, candidate, text);
  }

  /**
   * Where the model identity that version-1 entries of this keyspace stand for is recorded: one
   * per version-1 keyspace (backend id, model, prompt, decoding), the same for every identity.
   */
  public CacheKey attestationKey() {
    MessageDigest digest = sha256();
    field(digest, ATTESTATION_FORMAT);
    field(digest, backendId);
    field(digest, model);
    field(digest, promptTemplate);
    field(digest, decoding);
    return new CacheKey(digest.digest());
  }

  private CacheKey complete(MessageDigest prefix, boolean legacy, int candidate, String text) {
    if (candidate < 0) {
      throw new IllegalArgumentException("candidate index must be >= 0: " + candidate);
    }
    MessageDigest digest;
    try {
      digest = (MessageDigest) prefix.clone();
    } catch (CloneNotSupportedException e) {
      digest = newPrefix(legacy);
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
      p = newPrefix(false);
      prefix = p;
    }
    return p;
  }

  private MessageDigest legacyPrefix() {
    MessageDigest p = legacyPrefix;
    if (p == null) {
      p = newPrefix(true);
      legacyPrefix = p;
    }
    return p;
  }

  private MessageDigest newPrefix(boolean legacy) {
    MessageDigest digest = sha256();
    field(digest, legacy ? LEGACY_FORMAT : FORMAT);
    field(digest, backendId);
    field(digest, model);
    if (!legacy) {
      field(digest, modelIdentity);
    }
    field(digest, promptTemplate);
    field(digest, decoding);
    return digest;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
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
        && modelIdentity.equals(k.modelIdentity)
        && promptTemplate.equals(k.promptTemplate)
        && decoding.equals(k.decoding);
  }

  @Override
  public int hashCode() {
    return Objects.hash(backendId, model, modelIdentity, promptTemplate, decoding);
  }

  @Override
  public String toString() {
    return "CacheKeyspace{" + backendId + ", " + model + ", "
        + (modelIdentity.isEmpty() ? "" : modelIdentity.replace('\n', ',') + ", ")
        + decoding.replace('\n', ',') + "}";
  }
}
