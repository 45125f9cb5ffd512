/** pdf.js's worker bundle ships without types; only its presence matters to `openPdf`. */
declare module 'pdfjs-dist/legacy/build/pdf.worker.mjs' {
  export const WorkerMessageHandler: unknown;
}
