package dev.glomers.storage;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * How a record sits in a file: a 12-byte header (payload length, CRC32C of that length, CRC32C of the
 * payload) then the payload. The length has its own checksum so that a damaged length is never mistaken
 * for a frame that runs past the end of the file (which is what a torn write looks like).
 */
final class Frames {

    static final int HEADER = 12;

    private Frames() {
    }

    static byte[] frame(byte[] payload) {
        ByteBuffer out = ByteBuffer.allocate(HEADER + payload.length);
        out.putInt(payload.length).putInt(crcOfLength(payload.length)).putInt(crc(payload, 0, payload.length)).put(payload);
        return out.array();
    }

    /** What a file holds: its whole frames, and where the valid part ends (the file's length when nothing is torn). */
    record Parsed(List<byte[]> payloads, long validLength) {
    }

    /**
     * Reads every frame of {@code bytes}. With {@code tornTailAllowed} (the last file of the log), a frame that
     * is incomplete, or a run of zeros to the end (written ahead, see DurableLog), or a frame that fails its
     * checksum and whose own bytes run into those last zeros or the end of the file, is a torn last write: it
     * ends the valid part. Anything else that is not a whole, valid frame is corruption: refused with the
     * file and the byte offset.
     */
    static Parsed parse(byte[] bytes, boolean tornTailAllowed, String file) {
        List<byte[]> payloads = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int trailingZeros = trailingZerosFrom(bytes);
        int offset = 0;
        while (offset < bytes.length) {
            int remaining = bytes.length - offset;
            if (remaining < HEADER) {
                return torn(payloads, offset, tornTailAllowed, file, "an incomplete frame header");
            }
            int length = in.getInt(offset);
            if (in.getInt(offset + 4) != crcOfLength(length) || length < 0) {
                if (tornTailAllowed && trailingZeros < offset + HEADER) {
                    return new Parsed(payloads, offset); // zeros from here, or a header cut short by them
                }
                throw corrupt(file, offset, "a frame header that fails its checksum");
            }
            if (length > remaining - HEADER) {
                return torn(payloads, offset, tornTailAllowed, file, "a frame that runs past the end of the file");
            }
            int payloadAt = offset + HEADER;
            if (in.getInt(offset + 8) != crc(bytes, payloadAt, length)) {
                boolean atEnd = payloadAt + length == bytes.length || trailingZeros < payloadAt + length;
                if (tornTailAllowed && atEnd) {
                    return new Parsed(payloads, offset); // a payload cut short by the end or by the zeros after it
                }
                throw corrupt(file, offset, "a frame whose payload fails its checksum" + (atEnd ? "" : " with more data after it"));
            }
            byte[] payload = new byte[length];
            System.arraycopy(bytes, payloadAt, payload, 0, length);
            payloads.add(payload);
            offset = payloadAt + length;
        }
        return new Parsed(payloads, offset);
    }

    /** A file that must hold exactly one whole frame (a snapshot, the identity): anything else is corruption. */
    static byte[] single(byte[] bytes, String file) {
        Parsed parsed = parse(bytes, false, file);
        if (parsed.payloads().size() != 1) {
            throw corrupt(file, 0, "holds " + parsed.payloads().size() + " frames instead of one");
        }
        return parsed.payloads().get(0);
    }

    private static Parsed torn(List<byte[]> payloads, int offset, boolean tornTailAllowed, String file, String what) {
        if (!tornTailAllowed) {
            throw corrupt(file, offset, what + " (not the end of the log)");
        }
        return new Parsed(payloads, offset);
    }

    static StorageException corrupt(String file, long offset, String what) {
        return new StorageException("corrupt data directory: " + file + " at byte offset " + offset + ": " + what
                + "; refusing to start (move the directory away to start this node empty)");
    }

    /** Where the run of zeros that ends {@code bytes} begins ({@code bytes.length} when the last byte is not zero). */
    private static int trailingZerosFrom(byte[] bytes) {
        int from = bytes.length;
        while (from > 0 && bytes[from - 1] == 0) {
            from--;
        }
        return from;
    }

    private static int crcOfLength(int length) {
        return crc(ByteBuffer.allocate(4).putInt(length).array(), 0, 4);
    }

    private static int crc(byte[] bytes, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, from, length);
        return (int) crc.getValue();
    }
}
