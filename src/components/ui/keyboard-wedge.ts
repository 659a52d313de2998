'use client';

import { useEffect, useRef, type RefObject } from 'react';

/** The longest pause between two keystrokes of one scan. Scanners type a key every 1–30 ms; people take 100 ms or more. */
const SCANNER_GAP_MS = 50;
/** The shortest code a scan can be (EAN-8). A burst this long of digits is no person typing. */
const MIN_SCAN_LENGTH = 8;

type Burst = { target: HTMLInputElement | HTMLTextAreaElement; code: string; lastAt: number; valueBefore: string };

const TEXT_INPUT_TYPES = new Set(['text', 'search', 'number', 'tel', 'email', 'url', 'password', '']);

function textField(target: EventTarget | null): HTMLInputElement | HTMLTextAreaElement | null {
  if (target instanceof HTMLTextAreaElement) return target;
  if (target instanceof HTMLInputElement && TEXT_INPUT_TYPES.has(target.type)) return target;
  return null;
}

/** Sets a React-controlled field's value the way typing does, so its onChange sees it. */
function setFieldValue(field: HTMLInputElement | HTMLTextAreaElement, value: string) {
  const prototype = field instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(prototype, 'value')?.set?.call(field, value);
  field.dispatchEvent(new Event('input', { bubbles: true }));
}

/**
 * No scan lost to where the focus is: outside text fields the first digit moves to the scan field; in another text
 * field a burst of 8+ digits at scanner speed ended by Enter is a scan, and the field gets back what it had
 * (docs/architecture.md "The keyboard wedge"). The scan field itself is left to its own handlers.
 */
export function useKeyboardWedge(field: RefObject<HTMLInputElement | null>, onScan: (code: string) => void) {
  const scanned = useRef(onScan);
  scanned.current = onScan;

  useEffect(() => {
    let burst: Burst | null = null;
    const onKeyDown = (e: KeyboardEvent) => {
      const scanField = field.current;
      if (!scanField || scanField.disabled || scanField.readOnly || e.target === scanField || e.ctrlKey || e.metaKey || e.altKey) {
        burst = null;
        return;
      }
      // An open modal dialog (a product form over the editor) is where the person works: its fields keep what is typed
      // or scanned into them, and the page behind it is inert anyway.
      if (document.querySelector('dialog[open]')) {
        burst = null;
        return;
      }
      const digit = /^\d$/.test(e.key);
      const other = textField(e.target);
      if (!other) {
        burst = null;
        // A select (the store picked a moment ago) too: its type-ahead would eat the digits and Enter would do nothing.
        if (digit && !(e.target as HTMLElement | null)?.isContentEditable) {
          e.preventDefault();
          scanField.focus();
          setFieldValue(scanField, scanField.value + e.key);
        }
        return;
      }
      // When the key arrived, not when this handler ran: a slow render between two keys must not split a scan.
      const now = e.timeStamp;
      const continues = burst !== null && burst.target === other && now - burst.lastAt <= SCANNER_GAP_MS;
      if (digit) {
        if (continues) {
          burst!.code += e.key;
          burst!.lastAt = now;
        } else {
          burst = { target: other, code: e.key, lastAt: now, valueBefore: other.value };
        }
        return;
      }
      if (e.key === 'Enter' && continues && burst!.code.length >= MIN_SCAN_LENGTH) {
        e.preventDefault();
        e.stopPropagation();
        const { code, valueBefore } = burst!;
        burst = null;
        setFieldValue(other, valueBefore);
        scanField.focus();
        // A task later: React has rendered the restored value, and `onScan` is the render's that saw it.
        setTimeout(() => scanned.current(code), 0);
        return;
      }
      burst = null;
    };
    // Capture: before the field's own Enter handling (a form's submit, a correction's save).
    window.addEventListener('keydown', onKeyDown, true);
    return () => window.removeEventListener('keydown', onKeyDown, true);
  }, [field]);
}
