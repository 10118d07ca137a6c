package dev.tarjama.models.cache;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The fingerprint of a local model's weights: SHA-256 over every regular file under the model's
 * directory (or of the one file), each as its path relative to the directory and its own SHA-256,
 * in path order. New weights in the same directory give a new fingerprint, hence new cache keys.
 *
 * <p>Cheap after the first time: a file's SHA-256 is remembered per JVM under its path, size and
 * modification time, so a model is read in whole once per JVM (and again only when a file
 * changes); the directory listing and the file attributes are read on every call.
 */
public final class ModelFingerprint {
  private record FileState(Path path, long size, long modified) {}

  private static final Map<FileState, String> FILE_HASHES = new ConcurrentHashMap<>();

  private ModelFingerprint() {}

  /**
   * The fingerprint of the model at {@code path}, as 64 hex characters.
   *
   * @throws UncheckedIOException naming the path when it cannot be read
   */
  public static String of(Path path) {
    Path root = path.toAbsolutePath().normalize();
    MessageDigest digest = sha256();
    try {
      List<Path> files;
      if (Files.isRegularFile(root)) {
        files = List.of(root);
      } else {
        try (Stream<Path> walk = Files.walk(root)) {
          files = walk.filter(Files::isRegularFile).sorted().toList();
        }
      }
      for (Path file : files) {
        String relative = file.equals(root) ? file.getFileName().toString()
            : root.relativize(file).toString().replace('\\', '/');
        field(digest, relative);
        field(digest, fileHash(file));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot fingerprint the model at " + path + ": " + e, e);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static String fileHash(Path file) throws IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    FileState state = new FileState(file, a.size(), a.lastModifiedTime().toMillis());
    String known = FILE_HASHES.get(state);
    if (known != null) {
      return known;
    }
    MessageDigest digest = sha256();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        digest.update(buffer, 0, n);
      }
    }
    String hash = HexFormat.of().formatHex(digest.digest());
    FILE_HASHES.put(state, hash);
    return hash;
  }

  private static void field(MessageDigest digest, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    digest.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
    digest.update(bytes);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
