'use client';

import { useEffect, useRef, useState } from 'react';

type Detector = { detect: (source: HTMLVideoElement | HTMLCanvasElement) => Promise<{ rawValue: string }[]> };
type DetectorClass = new (options: { formats: string[] }) => Detector;

/** Reads one code from a frame: BarcodeDetector where the browser has it, ZXing otherwise. */
async function createReader(): Promise<(video: HTMLVideoElement, canvas: HTMLCanvasElement) => Promise<string | null>> {
  const Native = (globalThis as { BarcodeDetector?: DetectorClass }).BarcodeDetector;
  if (Native) {
    const detector = new Native({ formats: ['ean_13', 'ean_8', 'upc_a'] });
    return async (video) => (await detector.detect(video))[0]?.rawValue ?? null;
  }
  const { MultiFormatReader, BarcodeFormat, DecodeHintType, HTMLCanvasElementLuminanceSource, HybridBinarizer, BinaryBitmap } = await import('@zxing/library');
  const reader = new MultiFormatReader();
  reader.setHints(new Map<unknown, unknown>([[DecodeHintType.POSSIBLE_FORMATS, [BarcodeFormat.EAN_13, BarcodeFormat.EAN_8, BarcodeFormat.UPC_A]], [DecodeHintType.TRY_HARDER, true]]) as Parameters<typeof reader.setHints>[0]);
  return async (video, canvas) => {
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
  };
}

/**
 * The camera, opened on demand. A code is accepted only when two consecutive frames agree, and the same code is
 * not accepted again until another code (or nothing) has been seen.
 */
export function CameraScanner({ onCode, onClose }: { onCode: (code: string) => void; onClose: () => void }) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [error, setError] = useState<string | null>(null);
  const onCodeRef = useRef(onCode);
  useEffect(() => {
    onCodeRef.current = onCode;
  }, [onCode]);

  useEffect(() => {
    let stream: MediaStream | null = null;
    let stopped = false;
    let previous: string | null = null;
    let lastAccepted: string | null = null;
    void (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
        const video = videoRef.current!;
        video.srcObject = stream;
        await video.play();
        const read = await createReader();
        while (!stopped) {
          const code = await read(video, canvasRef.current!);
          if (code && code === previous && code !== lastAccepted) {
            lastAccepted = code;
            onCodeRef.current(code);
          }
          if (!code) lastAccepted = null;
          previous = code;
          await new Promise((r) => setTimeout(r, 120));
        }
      } catch (e) {
        setError(`Não foi possível usar a câmera: ${(e as Error).message}`);
      }
    })();
    return () => {
      stopped = true;
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, []);

  return (
    <div className="card" aria-label="Leitura pela câmera">
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
