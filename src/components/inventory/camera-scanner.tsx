'use client';

import { useEffect, useRef, useState } from 'react';
import { cameraErrorMessage } from './camera-errors';
import { CameraCodeGate } from './camera-code-gate';

type Detector = { detect: (source: HTMLVideoElement | HTMLCanvasElement) => Promise<{ rawValue: string }[]> };
type DetectorClass = (new (options: { formats: string[] }) => Detector) & { getSupportedFormats?: () => Promise<string[]> };

export type BarcodeReaderKind = 'native' | 'zxing';
type FrameReader = { kind: BarcodeReaderKind; read: (video: HTMLVideoElement, canvas: HTMLCanvasElement) => Promise<string | null> };

/**
 * Reads one code from a frame: the browser's BarcodeDetector where it can read EAN-13, ZXing otherwise. Chromium
 * on Linux and Windows exposes no BarcodeDetector, or one that supports no format, so the check is by format.
 */
async function createReader(): Promise<FrameReader> {
  const Native = (globalThis as { BarcodeDetector?: DetectorClass }).BarcodeDetector;
  const nativeFormats = Native ? await Native.getSupportedFormats?.().catch(() => [] as string[]) : undefined;
  if (Native && nativeFormats?.includes('ean_13')) {
    const detector = new Native({ formats: ['ean_13', 'ean_8', 'upc_a'].filter((f) => nativeFormats.includes(f)) });
    return { kind: 'native', read: async (video) => (video.videoWidth ? ((await detector.detect(video))[0]?.rawValue ?? null) : null) };
  }
  const { MultiFormatReader, BarcodeFormat, DecodeHintType, HTMLCanvasElementLuminanceSource, HybridBinarizer, BinaryBitmap } = await import('@zxing/library');
  const reader = new MultiFormatReader();
  reader.setHints(new Map<unknown, unknown>([[DecodeHintType.POSSIBLE_FORMATS, [BarcodeFormat.EAN_13, BarcodeFormat.EAN_8, BarcodeFormat.UPC_A]], [DecodeHintType.TRY_HARDER, true]]) as Parameters<typeof reader.setHints>[0]);
  return {
    kind: 'zxing',
    read: async (video, canvas) => {
      if (!video.videoWidth) return null;
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      canvas.getContext('2d', { willReadFrequently: true })?.drawImage(video, 0, 0);
      try {
        return reader.decode(new BinaryBitmap(new HybridBinarizer(new HTMLCanvasElementLuminanceSource(canvas)))).getText();
      } catch {
        return null;
      } finally {
        reader.reset();
      }
    },
  };
}

/**
 * The camera, opened on demand. Which reads become scans is CameraCodeGate's rule: a code held in view counts
 * once, and counts again only after it has left the view. `data-reader` says which reader runs and
 * `data-codes-read` how many frames had a code in them (what the camera saw, as opposed to what was counted).
 */
export function CameraScanner({ onCode, onClose }: { onCode: (code: string) => void; onClose: () => void }) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [readerKind, setReaderKind] = useState<BarcodeReaderKind | null>(null);
  const [codesRead, setCodesRead] = useState(0);
  const onCodeRef = useRef(onCode);
  useEffect(() => {
    onCodeRef.current = onCode;
  }, [onCode]);

  useEffect(() => {
    let stream: MediaStream | null = null;
    let stopped = false;
    const gate = new CameraCodeGate();
    void (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
        // Closed while the browser was still opening the camera: let it go at once.
        if (stopped) return stream.getTracks().forEach((t) => t.stop());
        const video = videoRef.current!;
        video.srcObject = stream;
        await video.play();
        const reader = await createReader();
        if (stopped) return;
        setReaderKind(reader.kind);
        while (!stopped) {
          const code = await reader.read(video, canvasRef.current!);
          if (stopped) break;
          if (code) setCodesRead((n) => n + 1);
          const accepted = gate.read(code, performance.now());
          if (accepted) onCodeRef.current(accepted);
          await new Promise((r) => setTimeout(r, 120));
        }
      } catch (e) {
        if (stopped) return;
        setError(cameraErrorMessage(e));
      }
    })();
    return () => {
      stopped = true;
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, []);

  return (
    <div className="card" aria-label="Leitura pela câmera" data-testid="camera-scanner" data-reader={readerKind ?? undefined} data-codes-read={codesRead}>
      {error ? (
        <p className="scan-status scan-status-error" role="alert">
          {error}
        </p>
      ) : null}
      <video ref={videoRef} muted playsInline style={{ width: '100%', maxHeight: 320, background: '#000' }} />
      <canvas ref={canvasRef} hidden />
      <button type="button" className="btn btn-secondary btn-block" onClick={onClose}>
        Fechar câmera
      </button>
    </div>
  );
}
