import type { UploadTransport } from '@baton/client';

/**
 * An upload over XMLHttpRequest, the one browser API that reports how much of a request body
 * has left (fetch does not): a photo on a phone link takes seconds, and the composer shows it.
 */
export const xhrUpload: UploadTransport = (url, init) =>
  new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(init.method, url);
    for (const [name, value] of Object.entries(init.headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) init.onProgress?.(e.loaded, e.total);
    };
    xhr.onload = () =>
      resolve({ status: xhr.status, text: () => Promise.resolve(xhr.responseText) });
    xhr.onerror = () => reject(new Error('the upload was cut off'));
    xhr.onabort = () => reject(new Error('the upload was cancelled'));
    // The web app sends Files (Blobs); bytes are copied into a plain ArrayBuffer for the types.
    xhr.send(init.body instanceof Blob ? init.body : new Uint8Array(init.body));
  });
