/**
 * The private request/reply channel of the embedded Lean, as JavaScript inserted into the glue
 * (`glue-patch.ts`). It is active when the worker's environment has `LEANENV_WASM_CHANNEL=1`
 * (the server's workers); set-up's own runs of the glue (compiling the REPL) keep plain stdio.
 *
 * With the channel:
 * - The first 65 bytes on the Node process's fd 0 are the reply key (64 hex digits and a
 *   newline). The glue reads them itself, in JavaScript, the first time a channel device is
 *   opened: the key never enters wasm memory.
 * - `/dev/leanenv-rpc-in` reads the Node process's fd 0 (blocking, retrying on EAGAIN; with
 *   several slots it serves the other threads while it waits, see {@link RPC_POLL_ENV});
 *   `/dev/leanenv-rpc-out` takes the REPL's framed replies. Each device opens once per process:
 *   a second open (also through `/proc/self/fd/N`, which resolves to the device) fails with
 *   EACCES. The REPL opens both at start-up, before any request.
 * - Every complete frame written to rpc-out leaves on fd 1 with trusted headers written by the
 *   glue: `Leanenv-Seq` (reply counter), `Leanenv-Out` (bytes of program output written so
 *   far), `Leanenv-Threads` (live pthreads: started minus finished, see the thread-count patches)
 *   and `Leanenv-Mac`: HMAC-SHA256 under the key of
 *   `seq \n out \n threads \n body`.
 * - Lean's own stdout and stderr (and the glue's `out` and `console.log`, which print the build's
 *   `[DEBUG:...]` lines, some with text Lean code chooses) go to fd 3, the untrusted program output;
 *   Lean's stdin is always at end of input. fd 2 carries only the glue's own notices.
 *
 * Everything here runs on the glue's main thread: the file system lives there and pthreads
 * proxy their file calls to it, so the byte count in `Leanenv-Out` is exact when a reply leaves.
 */

/** Environment variable that turns the channel on in the glue. */
export const CHANNEL_ENV = 'LEANENV_WASM_CHANNEL';

/** Paths of the channel's devices in the file system Lean sees. */
export const RPC_IN_DEVICE = '/dev/leanenv-rpc-in';
export const RPC_OUT_DEVICE = '/dev/leanenv-rpc-out';

/** File descriptor of the Node process that carries Lean's own stdout and stderr with the channel on. */
export const PROGRAM_OUTPUT_FD = 3;

/**
 * Environment variable that makes the request device serve other threads while it waits (a
 * worker with several slots, whose REPL reads requests on the main thread): every other thread's
 * file calls (the slots' replies, their imports) are run by the main thread, so a read that just
 * blocked would stop them all. fd 0 is read by a small worker thread into a shared buffer, and the
 * waiting read runs the main thread's queued calls between short waits (20 µs after work, backing
 * off to 1 ms when idle).
 */
export const RPC_POLL_ENV = 'LEANENV_WASM_RPC_POLL';

/** The worker thread that reads fd 0 into the shared buffer (see {@link RPC_POLL_ENV}): [bytes ready, end of input], then the bytes. */
const INBOX_READER_JS =
  'const{workerData:s}=require("worker_threads"),fs=require("fs");const st=new Int32Array(s,0,2),d=new Uint8Array(s,8),b=Buffer.alloc(65536);' +
  'for(;;){while(Atomics.load(st,0)!==0)Atomics.wait(st,0,Atomics.load(st,0));var n=0;' +
  'try{n=fs.readSync(0,b,0,b.length)}catch(e){if(e.code==="EAGAIN"){Atomics.wait(st,1,0,2);continue}n=0}' +
  'if(n===0){Atomics.store(st,1,1);Atomics.notify(st,0);break}d.set(b.subarray(0,n));Atomics.store(st,0,n);Atomics.notify(st,0)}';

/** Bytes of the key line the glue reads first from fd 0: 64 hex digits and a newline. */
export const KEY_LINE_BYTES = 65;

/** JavaScript defining `leanenvChannel` (null without the channel), inserted into the glue. */
export const CHANNEL_JS = `var leanenvChannel=(()=>{
if(process.env.${CHANNEL_ENV}!=="1")return null;
var crypto=require("crypto");
var ch={key:null,seq:0,outBytes:0,opened:{},pending:Buffer.alloc(0)};
ch.sleep=ms=>Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,ms);
ch.readFd0Sync=(b,off,len)=>{for(;;){try{return fs.readSync(0,b,off,len)}catch(e){if(e.code==="EAGAIN"){ch.sleep(2);continue}if(e.code==="EOF")return 0;throw e}}};
ch.poll=process.env.${RPC_POLL_ENV}==="1";ch.rest=Buffer.alloc(0);
ch.inbox=()=>{if(ch.st)return;var sab=new SharedArrayBuffer(8+65536);ch.st=new Int32Array(sab,0,2);ch.dat=new Uint8Array(sab,8);
new (require("worker_threads").Worker)(${JSON.stringify(INBOX_READER_JS)},{eval:true,workerData:sab}).unref()};
ch.readFd0=(b,off,len)=>{if(!ch.poll)return ch.readFd0Sync(b,off,len);ch.inbox();var pause=0.02;for(;;){
if(ch.rest.length){var n=Math.min(len,ch.rest.length);ch.rest.copy(b,off,0,n);ch.rest=ch.rest.subarray(n);return n}
var k=Atomics.load(ch.st,0);if(k>0){ch.rest=Buffer.from(ch.dat.subarray(0,k));Atomics.store(ch.st,0,0);Atomics.notify(ch.st,0);continue}
if(Atomics.load(ch.st,1))return 0;
var t=performance.now();if(typeof __emscripten_check_mailbox==="function"&&!ENVIRONMENT_IS_PTHREAD)__emscripten_check_mailbox();
pause=performance.now()-t>0.02?0.02:Math.min(1,pause*2);Atomics.wait(ch.st,0,0,pause)}};
ch.writeFd=(fd,b)=>{for(var off=0;off<b.length;){try{off+=fs.writeSync(fd,b,off,b.length-off)}catch(e){if(e.code!=="EAGAIN")throw e;ch.sleep(1)}}};
ch.readKey=()=>{if(ch.key)return;var b=Buffer.alloc(${KEY_LINE_BYTES}),n=0;while(n<b.length){var r=ch.readFd0(b,n,b.length-n);if(r===0)throw new FS.ErrnoError(29);n+=r}
var line=b.toString("latin1");b.fill(0);if(!/^[0-9a-f]{64}\\n$/.test(line))throw new FS.ErrnoError(29);ch.key=Buffer.from(line.slice(0,64),"hex")};
ch.program=b=>{try{ch.writeFd(${PROGRAM_OUTPUT_FD},b)}catch(e){}ch.outBytes+=b.length};
console.log=(...a)=>ch.program(Buffer.from(a.join(" ")+"\\n"));
ch.threads=()=>{var a=new Int32Array(globalThis.leanenvThreadSab??=new SharedArrayBuffer(8));return Atomics.load(a,0)-Atomics.load(a,1)};
ch.reply=body=>{var meta=ch.seq+"\\n"+ch.outBytes+"\\n"+ch.threads();
var mac=crypto.createHmac("sha256",ch.key).update(meta+"\\n").update(body).digest("hex");var m=meta.split("\\n");ch.seq++;
ch.writeFd(1,Buffer.concat([Buffer.from("Content-Length: "+body.length+"\\r\\nLeanenv-Seq: "+m[0]+"\\r\\nLeanenv-Out: "+m[1]+"\\r\\nLeanenv-Threads: "+m[2]+"\\r\\nLeanenv-Mac: "+mac+"\\r\\n\\r\\n","latin1"),body]))};
ch.frames=()=>{for(;;){var end=ch.pending.indexOf("\\r\\n\\r\\n");if(end<0)return;var mm=/^Content-Length: *(\\d+)\\r?$/i.exec(ch.pending.subarray(0,end).toString("latin1"));
if(!mm){ch.pending=Buffer.alloc(0);throw new FS.ErrnoError(29)}var total=end+4+Number(mm[1]);if(ch.pending.length<total)return;
ch.reply(Buffer.from(ch.pending.subarray(end+4,total)));ch.pending=ch.pending.subarray(total)}};
ch.device=(path,minor,ops)=>{var dev=FS.makedev(99,minor);FS.registerDevice(dev,{open(stream){if(ch.opened[path])throw new FS.ErrnoError(2);ch.opened[path]=true;ch.readKey()},close(){},llseek(){throw new FS.ErrnoError(70)},...ops});FS.mkdev(path,dev)};
ch.devices=()=>{
ch.device("${RPC_IN_DEVICE}",1,{read(stream,buffer,offset,length){if(!length)return 0;var b=Buffer.alloc(Math.min(length,65536));var n=ch.readFd0(b,0,b.length);buffer.set(b.subarray(0,n),offset);return n},write(){throw new FS.ErrnoError(8)}});
ch.device("${RPC_OUT_DEVICE}",2,{read(){throw new FS.ErrnoError(8)},write(stream,buffer,offset,length){ch.pending=Buffer.concat([ch.pending,Buffer.from(buffer.buffer,buffer.byteOffset+offset,length)]);ch.frames();return length}})};
return ch})();`.replace(/\n/g, '');
