// The page's drawing pad and picture handling. Pixels never leave the page: they go from a canvas to .NET in this tab.
window.pocketWeb = (() => {
    const stroke = 22;          // pen width on the 280-pixel pad: about MNIST's stroke at 28 pixels
    let loadedResources = 0;    // resource entries when the page had loaded its own files
    const pads = new WeakMap(); // pad -> { drawn: bounding box of the strokes, or null }

    function clear(pad) {
        const ctx = pad.getContext('2d');
        ctx.fillStyle = '#000';
        ctx.fillRect(0, 0, pad.width, pad.height);
        pads.set(pad, { box: null, picture: null });
    }

    function attachPad(pad, dotnet) {
        clear(pad);
        const ctx = pad.getContext('2d');
        let last = null;
        const at = e => {
            const r = pad.getBoundingClientRect();
            return { x: (e.clientX - r.left) * pad.width / r.width, y: (e.clientY - r.top) * pad.height / r.height };
        };
        const grow = p => {
            const s = pads.get(pad);
            if (s.picture) { clear(pad); }
            const st = pads.get(pad), h = stroke / 2;
            const b = st.box ?? { x0: p.x, y0: p.y, x1: p.x, y1: p.y };
            st.box = { x0: Math.min(b.x0, p.x - h), y0: Math.min(b.y0, p.y - h), x1: Math.max(b.x1, p.x + h), y1: Math.max(b.y1, p.y + h) };
        };
        const line = (a, b) => {
            ctx.strokeStyle = '#fff'; ctx.lineWidth = stroke; ctx.lineCap = 'round'; ctx.lineJoin = 'round';
            ctx.beginPath(); ctx.moveTo(a.x, a.y); ctx.lineTo(b.x, b.y); ctx.stroke();
        };
        pad.addEventListener('pointerdown', e => {
            pad.setPointerCapture(e.pointerId);
            last = at(e); grow(last); line(last, last);
            e.preventDefault();
        });
        pad.addEventListener('pointermove', e => {
            if (!last) return;
            const p = at(e); grow(p); line(last, p); last = p;
            e.preventDefault();
        });
        const end = () => { if (last) { last = null; dotnet.invokeMethodAsync('OnDrawn'); } };
        pad.addEventListener('pointerup', end);
        pad.addEventListener('pointercancel', end);
        pad.style.touchAction = 'none'; // a finger draws instead of scrolling the page
    }

    // RGBA of a width x height canvas region.
    function read(ctx, width, height) {
        const d = ctx.getImageData(0, 0, width, height).data;
        return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
    }

    function target(width, height) {
        const c = document.createElement('canvas');
        c.width = width; c.height = height;
        const ctx = c.getContext('2d', { willReadFrequently: true });
        ctx.imageSmoothingEnabled = true; ctx.imageSmoothingQuality = 'high';
        return ctx;
    }

    // What the pad shows, at the model's input size. A drawing for a 28x28 MNIST-style model is framed as MNIST
    // frames its digits: the strokes' bounding box scaled to fit 20x20, centred in 28x28.
    function padPixels(pad, height, width, mnistStyle) {
        const s = pads.get(pad);
        if (s.picture) return s.picture;
        if (!s.box) return null;
        const ctx = target(width, height);
        ctx.fillStyle = '#000'; ctx.fillRect(0, 0, width, height);
        if (mnistStyle && width === 28 && height === 28) {
            const b = s.box, w = b.x1 - b.x0, h = b.y1 - b.y0, scale = 20 / Math.max(w, h);
            ctx.drawImage(pad, b.x0, b.y0, w, h, 14 - w * scale / 2, 14 - h * scale / 2, w * scale, h * scale);
        } else {
            ctx.drawImage(pad, 0, 0, width, height);
        }
        return read(ctx, width, height);
    }

    // Shows a dropped picture on the pad and returns it at the model's input size, over white (transparent reads as
    // paper). A picture already at that size is taken pixel for pixel. Null when the browser cannot decode it.
    async function showPicture(pad, bytes, height, width) {
        let bitmap;
        try {
            bitmap = await createImageBitmap(new Blob([bytes]), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
        } catch {
            return null;
        }
        const ctx = target(width, height);
        ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, width, height);
        if (bitmap.width === width && bitmap.height === height) ctx.imageSmoothingEnabled = false;
        ctx.drawImage(bitmap, 0, 0, width, height);
        const pixels = read(ctx, width, height);

        const show = pad.getContext('2d');
        show.fillStyle = '#fff'; show.fillRect(0, 0, pad.width, pad.height);
        show.imageSmoothingEnabled = bitmap.width >= pad.width; // small pictures (28x28) show as crisp pixels
        const k = Math.min(pad.width / bitmap.width, pad.height / bitmap.height);
        show.drawImage(bitmap, (pad.width - bitmap.width * k) / 2, (pad.height - bitmap.height * k) / 2, bitmap.width * k, bitmap.height * k);
        bitmap.close();
        pads.set(pad, { box: null, picture: pixels });
        return pixels;
    }

    return {
        attachPad,
        clearPad: clear,
        padPixels,
        showPicture,
        now: () => performance.now(),
        markLoaded: () => { loadedResources = performance.getEntriesByType('resource').length; },
        requestsSinceLoaded: () => performance.getEntriesByType('resource').length - loadedResources,
    };
})();
